import type { CrawlInput, PendingVideo } from './crawl.ts';

// Shapes of the backfill workflow (src/workflows/backfill.ts). Sandbox-safe: small JSON only.

/**
 * Input of the backfill workflow: the channel as its crawl had it, and the position in the
 * channel's full listing to go on from (1 is the newest entry). Plain JSON.
 */
export interface BackfillInput {
  crawl: CrawlInput;
  /** The 1-based position of the first entry still to list. */
  from: number;
  /** What the runs before this one (continued as new) did. */
  summary?: BackfillSummary;
}

/** What the backfill workflow returns, shown as its result in the Web UI. */
export interface BackfillSummary {
  /** Entries listed from the channel's full listing. */
  listed: number;
  /** Entries seen for the first time. */
  new: number;
  /** Download workflows started. */
  started: number;
  /** Videos whose download workflow was already running (or done). */
  alreadyRunning: number;
  /** Pages listed, over all runs. */
  pages: number;
}

/** Where a channel's backfill stands, as its crawl finds it in the database. */
export type BackfillPlan =
  /** Nothing to do: the listing covers it, it is done, or the source cannot list deeper. */
  | { status: 'none'; reason: string }
  /** Go on listing from this position. */
  | { status: 'due'; from: number };

/** One page of a backfill, recorded. */
export interface BackfillPage {
  /** Entries on the page. */
  listed: number;
  new: number;
  /** New entries to download (the rules let them through). */
  pending: PendingVideo[];
  /** The position of the first entry of the next page. */
  next: number;
  /** The listing ended, or the backfill reached its limit. */
  done: boolean;
}
