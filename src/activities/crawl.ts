import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { getListingState } from '../db/channels.ts';
import { recordListing } from '../db/listing.ts';
import { listUnfinished } from '../db/videos.ts';
import { NotAFeedError } from '../errors.ts';
import { compileRules, filterListing } from '../rules/filters.ts';
import type { RecordOutcome } from '../rules/recording.ts';
import { sourcesFor, type ChannelSource } from '../sources/source.ts';
import type { CrawlInput, CrawlNext, FetchedListing, FetchListingInput, PendingVideo, RecordedListing, RecordListingInput } from '../shared/crawl.ts';
import type { ChannelListing, ListingResult, ListingState } from '../shared/listing.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import { failureLabel } from '../shared/failure-label.ts';
import { planBackfill } from './backfill-plan.ts';
import { translatingErrors } from './failures.ts';

// The crawl's I/O: list the channel, record what was listed, and hand back what the crawl
// goes on with (its backfill plan, the videos that still need a download). A crawl of an
// unchanged feed is one activity: fetchListing answers all of it.

export interface CrawlActivityDeps {
  db: Db;
  sources: readonly ChannelSource[];
  metrics: ActivityMetrics;
}

/**
 * Listings whose JSON is larger than this are recorded by the fetching activity instead of
 * being returned: well under Temporal's 2 MB payload limit, and its 512 kB warning.
 */
export const MAX_LISTING_PAYLOAD_BYTES = 400 * 1024;

/** Counts what a recording brought, by channel: discovered, and skipped by why. */
export function countRecorded(metrics: ActivityMetrics, channel: string, outcome: RecordOutcome): void {
  if (outcome.discovered > 0) metrics.videosDiscovered.add(outcome.discovered, { channel });
  if (outcome.skipped.backfillLimit > 0) {
    metrics.videosSkipped.add(outcome.skipped.backfillLimit, { channel, reason: 'backfill_limit' });
  }
  if (outcome.skipped.filtered > 0) metrics.videosSkipped.add(outcome.skipped.filtered, { channel, reason: 'filtered' });
  if (outcome.skipped.notDownloadable > 0) {
    metrics.videosSkipped.add(outcome.skipped.notDownloadable, { channel, reason: 'not_downloadable' });
  }
}

export function createCrawlActivities({ db, sources, metrics }: CrawlActivityDeps) {
  /** Applies the channel's rules, upserts the listing and counts what it brought. */
  async function record(crawl: CrawlInput, listing: ChannelListing, state?: ListingState): Promise<RecordOutcome> {
    const now = new Date();
    // Relative ages (`published_after: 30d`) count back from this crawl.
    const filtered = filterListing(listing.entries, compileRules(crawl.rules, now));
    const outcome = await recordListing(db, { name: crawl.channel, url: crawl.url }, listing, crawl.backfill, now, state, filtered);
    countRecorded(metrics, crawl.channel, outcome);
    return outcome;
  }

  /** Read once the listing is recorded or found unchanged: the plan needs the channel's row as the listing left it. */
  async function next(crawl: CrawlInput, pageSize: number): Promise<CrawlNext> {
    const [backfill, unfinished] = await Promise.all([
      planBackfill(db, sources, crawl),
      listUnfinished(db, crawl.channel, 0, pageSize, new Date()),
    ]);
    return { backfill, unfinished };
  }

  return {
    /**
     * Fetches and parses the channel's listing, conditionally: `notModified` when the
     * channel's feed has not changed since the last recorded crawl. A listing too large
     * for the workflow's history is recorded here and only its counts returned. Unless
     * there is a listing for the workflow to record, the answer carries what the crawl
     * goes on with, so an unchanged feed costs the crawl this one activity. (A database
     * that is down fails it like an unreachable feed: the next crawl tries again, and
     * the videos without an end are still there for it.)
     */
    async fetchListing({ crawl, pageSize }: FetchListingInput): Promise<FetchedListing> {
      const { log, cancellationSignal, info } = Context.current();
      try {
        return await translatingErrors(async () => {
          const state = await getListingState(db, crawl.channel);
          const candidates = sourcesFor(sources, crawl.url);
          for (const [index, source] of candidates.entries()) {
            let result: ListingResult;
            try {
              result = await source.list({ url: crawl.url, signal: cancellationSignal, state });
            } catch (error) {
              // A web page where a feed was expected: the next source (yt-dlp) may list it.
              if (error instanceof NotAFeedError && index < candidates.length - 1) continue;
              throw error;
            }
            if (result.status === 'notModified') {
              metrics.feedsNotModified.add(1, { channel: crawl.channel });
              log.info('channel not modified since its last recorded listing', { channel: crawl.channel, source: source.name });
              return { status: 'notModified', ...(await next(crawl, pageSize)) };
            }
            log.info('channel listed', {
              channel: crawl.channel,
              source: source.name,
              kind: result.listing.kind,
              entries: result.listing.entries.length,
            });
            if (Buffer.byteLength(JSON.stringify(result.listing)) > MAX_LISTING_PAYLOAD_BYTES) {
              const outcome = await record(crawl, result.listing, result.state);
              return { status: 'recorded', outcome: { entries: outcome.entries, new: outcome.new }, ...(await next(crawl, pageSize)) };
            }
            return result;
          }
          throw new Error(`no source could list ${crawl.url}`);
        }, info.attempt);
      } catch (error) {
        // Every failed attempt counts: a site that changed shows up at once, not after
        // the retries ran out.
        metrics.crawlErrors.add(1, { channel: crawl.channel, reason: failureLabel(error) });
        throw error;
      }
    },

    /**
     * Upserts the channel and its entries, with the source's state (validators, resolved
     * id) in the same transaction; a first crawl applies the backfill limit. Hands back
     * what the crawl goes on with, as fetchListing does.
     */
    async recordListing(input: RecordListingInput): Promise<RecordedListing> {
      // Broken rules (typed by hand into a crawl's input) fail the crawl at once, by name.
      return translatingErrors(async () => {
        const outcome = await record(input.crawl, input.listing, input.state);
        return { entries: outcome.entries, new: outcome.new, ...(await next(input.crawl, input.pageSize)) };
      });
    },

    /**
     * Recorded videos of a channel that have no end yet, or whose transient failure is due
     * for another try by now, in pages after a row id: the crawl's pages after the first.
     */
    async listUnfinishedVideos(input: { channel: string; afterId: number; limit: number }): Promise<PendingVideo[]> {
      return listUnfinished(db, input.channel, input.afterId, input.limit, new Date());
    },
  };
}

export type CrawlActivities = ReturnType<typeof createCrawlActivities>;
