import type { BackfillPlan } from './backfill.ts';
import type { DownloadOptions } from './download.ts';
import type { ChannelListing, ListingState } from './listing.ts';

// Shapes of the crawl workflow that cross the workflow/activity boundary: its input (what a
// schedule passes and what a person types into `temporal workflow start --input`), its
// result, and the videos it hands on. Sandbox-safe: small JSON only.

/**
 * Input of the crawl workflow: what a schedule passes and what a person types into
 * `temporal workflow start --input`.
 */
export interface CrawlInput {
  /** The channel's name from channels.yaml; also the folder its videos land in. */
  channel: string;
  /** The feed or channel address. */
  url: string;
  /**
   * How far back to go on a channel's first crawl: the newest N entries, or `all`. Where
   * the channel's listing shows fewer (a YouTube feed has 15), a backfill workflow lists
   * the rest with yt-dlp (src/workflows/backfill.ts).
   */
  backfill: Backfill;
  /** The channel's downloader settings, handed to each download it starts. */
  download?: DownloadOptions;
  /** Which entries to skip (filters, shorts, live streams); absent: every entry is downloadable. */
  rules?: ChannelRules;
}

/** The newest N entries of a channel, or all of them. */
export type Backfill = number | 'all';

/**
 * A channel's filters, as plain JSON (a person may type it into `temporal workflow start`).
 * Every field is optional; an absent field filters nothing. channels.yaml's `filters:`
 * and `include:` become this (src/config/channels.ts).
 */
export interface ChannelRules {
  /** A regular expression (JavaScript syntax, matched case-insensitively) a title must match. */
  titleInclude?: string;
  /** A regular expression a title must not match. */
  titleExclude?: string;
  /** Entries shorter than this many seconds are skipped; entries of unknown length are not. */
  minDurationSeconds?: number;
  /** Entries longer than this many seconds are skipped; entries of unknown length are not. */
  maxDurationSeconds?: number;
  /**
   * A date (`2024-01-01`, or an ISO timestamp) or an age counted back from the crawl
   * (`30d`, `2w`, `12h`): older entries are skipped; entries without a date are not.
   */
  publishedAfter?: string;
  /** Only the newest N entries of each listing (that pass the other rules) are downloadable. */
  maxItems?: number;
  /** `false`: skip Shorts. Default true. */
  shorts?: boolean;
  /** `false`: skip live streams (live, past and upcoming). Default true. */
  live?: boolean;
}

/** What the crawl workflow returns, shown as its result in the Web UI. */
export interface CrawlSummary {
  /** Entries in the channel's listing. */
  entries: number;
  /** Entries seen for the first time. */
  new: number;
  /** Download workflows this crawl started. */
  started: number;
  /** Videos whose download workflow was already running (or done): counted, not an error. */
  alreadyRunning: number;
  /** Present when the channel answered 304 Not Modified: nothing was recorded. */
  notModified?: true;
  /**
   * Present when the channel's backfill has entries left to list: this crawl started its
   * backfill workflow, or found it running, going on from position `from`.
   */
  backfill?: { status: 'started' | 'running'; from: number };
}

/**
 * What a crawl goes on with once its listing is recorded or found unchanged: read by the
 * activity that did that, in the same call, so that a crawl of an unchanged feed costs
 * one activity (every activity is an Action on Temporal Cloud, and a round trip through
 * the server in a burst of crawls).
 */
export interface CrawlNext {
  /** Whether the channel's backfill has entries left to list, and from where. */
  backfill: BackfillPlan;
  /** The first page of the channel's recorded videos that still need a download, oldest row first. */
  unfinished: PendingVideo[];
}

/** What the crawl's fetch activity is asked for. */
export interface FetchListingInput {
  crawl: CrawlInput;
  /** The most unfinished videos to hand back with the answer (the crawl's page). */
  pageSize: number;
}

/** What the crawl's fetch activity hands back. */
export type FetchedListing =
  /** 304: nothing to record; the videos without an end still get their downloads. */
  | ({ status: 'notModified' } & CrawlNext)
  /** A listing for the workflow to record (recordListing, which hands back what comes next). */
  | { status: 'listed'; listing: ChannelListing; state: ListingState }
  /**
   * A listing too large to hand through the workflow's history (Temporal refuses payloads
   * over 2 MB): the fetching activity recorded it itself, in the same upsert.
   */
  | ({ status: 'recorded'; outcome: { entries: number; new: number } } & CrawlNext);

/** What the crawl's record activity is asked for. */
export interface RecordListingInput {
  crawl: CrawlInput;
  listing: ChannelListing;
  state?: ListingState;
  /** As in FetchListingInput. */
  pageSize: number;
}

/** What recording a listing brought, and what the crawl goes on with. */
export interface RecordedListing extends CrawlNext {
  entries: number;
  new: number;
}

/** A recorded video that still needs a download workflow. */
export interface PendingVideo {
  /** Database row id: a stable cursor when one crawl continues as new. */
  id: number;
  externalId: string;
  workflowId: string;
  /** Shown in the download's summary in the Web UI; absent in histories from before it was. */
  title?: string;
}
