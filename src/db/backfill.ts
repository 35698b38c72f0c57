import type { Db } from './connect.ts';
import { fromDbTime, toDbTime } from './connect.ts';
import { listUnfinishedByIds, upsertEntries } from './videos.ts';
import type { RecordOutcome } from '../rules/recording.ts';
import type { Backfill, PendingVideo } from '../shared/crawl.ts';
import type { ListedVideo } from '../shared/listing.ts';

// Where a channel's backfill stands, kept with the channel's row. Each page's entries and
// the position after them go in one transaction: a backfill restarted anywhere, even as a
// new workflow, lists the next page, never the pages it has already recorded.

export interface BackfillProgress {
  /** The kind of listing the channel's crawls recorded (`youtube`, `ytdlp`, `rss`…): which source lists it. */
  kind?: string;
  /** What the backfill that wrote this was asked for. */
  target?: Backfill;
  /** The position of the next entry to list (1 is the newest). */
  next?: number;
  /** Set when the listing ended or the target was reached. */
  doneAt?: Date;
  /** Entries in the channel's last recorded listing. */
  lastListed?: number;
}

function parseTarget(value: string | null): Backfill | undefined {
  if (value === null) return undefined;
  if (value === 'all') return 'all';
  const count = Number(value);
  return Number.isInteger(count) && count >= 0 ? count : undefined;
}

export async function getBackfillProgress(db: Db, channel: string): Promise<BackfillProgress> {
  const row:
    | {
        kind: string | null;
        backfill_target: string | null;
        backfill_next: number | null;
        backfill_done_at: string | null;
        listing_entries: number | null;
      }
    | undefined = await db('channels')
    .where({ name: channel })
    .first('kind', 'backfill_target', 'backfill_next', 'backfill_done_at', 'listing_entries');
  return {
    kind: row?.kind ?? undefined,
    target: parseTarget(row?.backfill_target ?? null),
    next: row?.backfill_next ?? undefined,
    doneAt: fromDbTime(row?.backfill_done_at ?? null),
    lastListed: row?.listing_entries ?? undefined,
  };
}

/** Whether a backfill that went this far already covers what is asked for now. */
export function covers(done: Backfill | undefined, wanted: Backfill): boolean {
  if (done === undefined) return false;
  if (done === 'all') return true;
  return wanted !== 'all' && wanted <= done;
}

export interface BackfillPageRecord {
  channel: string;
  target: Backfill;
  /** The position of the page's first entry. */
  from: number;
  /** How many entries the listing had at these positions (before any were dropped as unusable). */
  listed: number;
  /** The listing had no entries past this page. */
  ended: boolean;
  entries: ListedVideo[];
  /** Entries the channel's rules skip, with the reason. */
  filtered: ReadonlyMap<string, string>;
}

/**
 * Records one page of a backfill: new entries (known ones are left as the crawl recorded
 * them, except those its backfill limit skipped, which this deeper backfill now takes),
 * and the position after the page. Returns the videos to download.
 */
export async function recordBackfillPage(
  db: Db,
  page: BackfillPageRecord,
  now = new Date(),
): Promise<{ outcome: RecordOutcome; pending: PendingVideo[]; next: number; done: boolean }> {
  const next = page.from + page.listed;
  const done = page.ended || (page.target !== 'all' && next > page.target);
  return db.transaction(async (trx) => {
    const { outcome, downloadable } = await upsertEntries(trx, page.channel, page.entries, {
      filtered: page.filtered,
      refreshKnown: false,
      reopenBackfillSkips: true,
      now,
    });
    await trx('channels')
      .where({ name: page.channel })
      .update({
        backfill_target: String(page.target),
        backfill_next: next,
        backfill_done_at: done ? toDbTime(now) : null,
      });
    const pending = await listUnfinishedByIds(trx, page.channel, downloadable);
    return { outcome, pending, next, done };
  });
}
