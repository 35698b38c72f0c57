import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { getBackfillProgress, recordBackfillPage } from '../db/backfill.ts';
import { getListingState } from '../db/channels.ts';
import { compileRules, filterListing } from '../rules/filters.ts';
import type { ChannelSource } from '../sources/source.ts';
import type { BackfillPage } from '../shared/backfill.ts';
import type { CrawlInput } from '../shared/crawl.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import { backfillTarget, deepSource } from './backfill-plan.ts';
import { countRecorded } from './crawl.ts';
import { translatingErrors } from './failures.ts';

// The backfill's I/O: list and record one page of the channel's full listing at a time
// (src/workflows/backfill.ts drives the pages; whether one is due: backfill-plan.ts).

/** Well inside BACKFILL_LISTING's heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 5_000;

export interface BackfillActivityDeps {
  db: Db;
  sources: readonly ChannelSource[];
  metrics: ActivityMetrics;
}

export function createBackfillActivities({ db, sources, metrics }: BackfillActivityDeps) {
  return {
    /**
     * Lists the entries at positions `from`… of the channel's full listing and records
     * them, with the position after them, in one transaction. Returns the videos to start.
     */
    async listBackfillPage(input: { crawl: CrawlInput; from: number; pageSize: number }): Promise<BackfillPage> {
      const context = Context.current();
      return heartbeatingWhile(context, () => translatingErrors(() => listAndRecordPage(input, context), context.info.attempt));
    },
  };

  async function listAndRecordPage(input: { crawl: CrawlInput; from: number; pageSize: number }, context: Context): Promise<BackfillPage> {
    const { crawl, from } = input;
    const target = backfillTarget(crawl);
    const count = target === 'all' ? input.pageSize : Math.max(0, Math.min(input.pageSize, target - from + 1));
    if (count === 0) return { listed: 0, new: 0, pending: [], next: from, done: true };
    const [progress, state] = await Promise.all([getBackfillProgress(db, crawl.channel), getListingState(db, crawl.channel)]);
    const source = deepSource(sources, progress.kind);
    if (!source) throw new Error(`channel ${crawl.channel}: no source lists a ${progress.kind ?? 'unlisted'} channel page by page`);
    const page = await source.listPage!({ url: crawl.url, state, from, count, signal: context.cancellationSignal });
    const now = new Date();
    // max_items is the backfill's limit already (backfillTarget): a page is not a listing of its own.
    const rules = compileRules({ ...crawl.rules, maxItems: undefined }, now);
    const filtered = filterListing(page.entries, rules);
    const { outcome, pending, next, done } = await recordBackfillPage(
      db,
      { channel: crawl.channel, target, from, listed: page.listed, ended: page.ended, entries: page.entries, filtered },
      now,
    );
    countRecorded(metrics, crawl.channel, outcome);
    context.log.info('backfill page recorded', { channel: crawl.channel, from, listed: page.listed, new: outcome.new, done });
    return { listed: page.listed, new: outcome.new, pending, next, done };
  }
}

/**
 * Runs the body while heartbeating every few seconds. yt-dlp prints a listing only at the
 * end, which deep in a long channel takes minutes: the heartbeats tell Temporal the worker
 * is still at it, so a dead one is noticed within the heartbeat timeout, not the whole
 * start-to-close timeout. (A silent yt-dlp is caught by its own stall timeout.)
 */
async function heartbeatingWhile<T>(context: Context, body: () => Promise<T>): Promise<T> {
  const beating = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await body();
  } finally {
    clearInterval(beating);
  }
}

export type BackfillActivities = ReturnType<typeof createBackfillActivities>;
