import type { Db } from '../db/connect.ts';
import { covers, getBackfillProgress } from '../db/backfill.ts';
import type { ChannelSource } from '../sources/source.ts';
import type { BackfillPlan } from '../shared/backfill.ts';
import type { Backfill, CrawlInput } from '../shared/crawl.ts';

// Whether a channel needs a backfill, and how far it goes: read by the crawl's activities
// once the listing is recorded, and by the backfill's own for each page.

/**
 * How far a backfill goes: `backfill`, but never past max_items, which lets no listing
 * download more than its newest N anyway.
 */
export function backfillTarget(crawl: CrawlInput): Backfill {
  const maxItems = crawl.rules?.maxItems;
  if (maxItems === undefined) return crawl.backfill;
  return crawl.backfill === 'all' ? maxItems : Math.min(crawl.backfill, maxItems);
}

/** The source that lists this kind of channel deeper than its crawl does, if any. */
export function deepSource(sources: readonly ChannelSource[], kind: string | undefined): ChannelSource | undefined {
  return sources.find((source) => source.name === kind && source.listPage !== undefined);
}

/**
 * Whether the channel's backfill still has entries to list, and from where. Read after
 * the crawl recorded the listing (or found it unchanged), so the channel's row says which
 * source listed it and how many entries that listing had.
 */
export async function planBackfill(db: Db, sources: readonly ChannelSource[], crawl: CrawlInput): Promise<BackfillPlan> {
  const target = backfillTarget(crawl);
  const progress = await getBackfillProgress(db, crawl.channel);
  const source = deepSource(sources, progress.kind);
  if (!source) return { status: 'none', reason: `a ${progress.kind ?? 'unlisted'} channel's listing is all there is` };
  if (progress.doneAt && covers(progress.target, target)) return { status: 'none', reason: `done for backfill ${String(progress.target)}` };
  const listed = progress.lastListed;
  if (progress.next === undefined && listed !== undefined) {
    // Not begun: only a listing that may have left entries out is worth going past.
    if (source.listsAtMost !== undefined && listed < source.listsAtMost) {
      return { status: 'none', reason: `the listing's ${listed} entries are the whole channel` };
    }
    if (target !== 'all' && listed >= target) return { status: 'none', reason: `the listing holds the newest ${target}` };
  }
  return { status: 'due', from: progress.next ?? 1 };
}
