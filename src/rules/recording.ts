import type { ListedVideo } from '../shared/listing.ts';
import { newestFirst, uniqueEntries } from './listing-order.ts';

// Which status each entry of a listing is recorded with, decided without a database: the
// store (src/db/videos.ts) says which entries it has rows for and writes what this decides.
// Pure.

/** Why an entry is recorded as `skipped`: the row's `skip_kind` (migration 007), and the skipped metric's `reason`. */
export type SkipKind =
  /** The source said it cannot be downloaded (no media link, a kind Parker cannot fetch yet). */
  | 'not_downloadable'
  /** A channel rule (channels.yaml `filters:` or `include:`) skipped it. */
  | 'filtered'
  /** Outside the newest `backfill` entries on a channel's first crawl. */
  | 'backfill_limit';

export interface RecordOutcome {
  entries: number;
  new: number;
  /** New entries recorded as `discovered`. */
  discovered: number;
  /** New entries recorded as `skipped`, by why. */
  skipped: { backfillLimit: number; notDownloadable: number; filtered: number };
}

/** How one entry is recorded. A known entry's row keeps its status: this is what a new row gets. */
export interface EntryRecord {
  entry: ListedVideo;
  isNew: boolean;
  status: 'discovered' | 'skipped';
  /** Why it is skipped, in words, for logs and the database. */
  reason?: string;
  skipKind?: SkipKind;
}

export interface RecordingInput {
  listed: ListedVideo[];
  /** The entries the channel has rows for, with the skip kind of those that are skipped. */
  known: ReadonlyMap<string, SkipKind | undefined>;
  /** The channel rules' verdicts (src/rules/filters.ts): a reason by external id for each entry they skip. */
  filtered: ReadonlyMap<string, string>;
  /** New entries that pass the rules beyond this many are skipped (a first crawl's limit). */
  backfill?: number;
  /** Known rows a first crawl skipped for its backfill limit go back to `discovered` (a deeper backfill takes them). */
  reopenBackfillSkips?: boolean;
}

export interface RecordingPlan {
  /** One per external id (the first listed wins), newest first. */
  entries: EntryRecord[];
  outcome: RecordOutcome;
  /** Known rows to set back to `discovered`. */
  reopen: string[];
  /** What the listing makes downloadable: the new entries recorded as `discovered`, then the reopened rows. */
  downloadable: string[];
}

/** Why a first crawl skipped an entry: it was older than the newest `backfill`. */
function backfillLimitReason(backfill: number): string {
  return `older than the newest ${backfill} on the channel's first crawl (backfill limit)`;
}

/**
 * Decides each entry of a listing: `skipped` when the source cannot download it, when a
 * channel rule skips it, or when it is new and older than the newest `backfill` entries
 * the rules let through; `discovered` otherwise. Only new entries are counted.
 */
export function planRecording({ listed, known, filtered, backfill, reopenBackfillSkips = false }: RecordingInput): RecordingPlan {
  const entries = newestFirst(uniqueEntries(listed));
  const outcome: RecordOutcome = { entries: entries.length, new: 0, discovered: 0, skipped: { backfillLimit: 0, notDownloadable: 0, filtered: 0 } };
  const discovered: string[] = [];
  const reopen: string[] = [];
  let passed = 0;
  const records = entries.map((entry): EntryRecord => {
    const isNew = !known.has(entry.externalId);
    if (isNew) outcome.new++;
    if (entry.skipReason) {
      if (isNew) outcome.skipped.notDownloadable++;
      return { entry, isNew, status: 'skipped', reason: entry.skipReason, skipKind: 'not_downloadable' };
    }
    const ruleReason = filtered.get(entry.externalId);
    if (ruleReason !== undefined) {
      if (isNew) outcome.skipped.filtered++;
      return { entry, isNew, status: 'skipped', reason: ruleReason, skipKind: 'filtered' };
    }
    if (!isNew) {
      if (reopenBackfillSkips && known.get(entry.externalId) === 'backfill_limit') reopen.push(entry.externalId);
      return { entry, isNew, status: 'discovered' };
    }
    // Only what the rules let through counts towards the backfill limit.
    if (backfill !== undefined && passed++ >= backfill) {
      outcome.skipped.backfillLimit++;
      return { entry, isNew, status: 'skipped', reason: backfillLimitReason(backfill), skipKind: 'backfill_limit' };
    }
    outcome.discovered++;
    discovered.push(entry.externalId);
    return { entry, isNew, status: 'discovered' };
  });
  return { entries: records, outcome, reopen, downloadable: [...discovered, ...reopen] };
}
