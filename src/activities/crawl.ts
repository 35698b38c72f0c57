import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { getListingState } from '../db/channels.ts';
import { recordListing } from '../db/listing.ts';
import { listUnfinished } from '../db/videos.ts';
import { NotAFeedError } from '../errors.ts';
import { compileRules, filterListing } from '../rules/filters.ts';
import type { RecordOutcome } from '../rules/recording.ts';
import { sourcesFor, type ChannelSource } from '../sources/source.ts';
import type { CrawlInput, FetchedListing, PendingVideo } from '../shared/crawl.ts';
import type { ChannelListing, ListingResult, ListingState } from '../shared/listing.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import { failureLabel } from '../shared/failure-label.ts';
import { translatingErrors } from './failures.ts';

// The crawl's I/O: list the channel, record what was listed, and hand back the videos
// that still need a download.

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

  return {
    /**
     * Fetches and parses the channel's listing, conditionally: `notModified` when the
     * channel's feed has not changed since the last recorded crawl. A listing too large
     * for the workflow's history is recorded here and only its counts returned.
     */
    async fetchListing(input: CrawlInput): Promise<FetchedListing> {
      const { log, cancellationSignal, info } = Context.current();
      try {
        return await translatingErrors(async () => {
          const state = await getListingState(db, input.channel);
          const candidates = sourcesFor(sources, input.url);
          for (const [index, source] of candidates.entries()) {
            let result: ListingResult;
            try {
              result = await source.list({ url: input.url, signal: cancellationSignal, state });
            } catch (error) {
              // A web page where a feed was expected: the next source (yt-dlp) may list it.
              if (error instanceof NotAFeedError && index < candidates.length - 1) continue;
              throw error;
            }
            if (result.status === 'notModified') {
              metrics.feedsNotModified.add(1, { channel: input.channel });
              log.info('channel not modified since its last recorded listing', { channel: input.channel, source: source.name });
            } else {
              log.info('channel listed', {
                channel: input.channel,
                source: source.name,
                kind: result.listing.kind,
                entries: result.listing.entries.length,
              });
              if (Buffer.byteLength(JSON.stringify(result.listing)) > MAX_LISTING_PAYLOAD_BYTES) {
                const outcome = await record(input, result.listing, result.state);
                return { status: 'recorded', outcome: { entries: outcome.entries, new: outcome.new } };
              }
            }
            return result;
          }
          throw new Error(`no source could list ${input.url}`);
        }, info.attempt);
      } catch (error) {
        // Every failed attempt counts: a site that changed shows up at once, not after
        // the retries ran out.
        metrics.crawlErrors.add(1, { channel: input.channel, reason: failureLabel(error) });
        throw error;
      }
    },

    /**
     * Upserts the channel and its entries, with the source's state (validators, resolved
     * id) in the same transaction; a first crawl applies the backfill limit.
     */
    async recordListing(input: { crawl: CrawlInput; listing: ChannelListing; state?: ListingState }): Promise<RecordOutcome> {
      // Broken rules (typed by hand into a crawl's input) fail the crawl at once, by name.
      return translatingErrors(() => record(input.crawl, input.listing, input.state));
    },

    /**
     * Recorded videos of a channel that have no end yet, or whose transient failure is due
     * for another try by now, in pages after a row id.
     */
    async listUnfinishedVideos(input: { channel: string; afterId: number; limit: number }): Promise<PendingVideo[]> {
      return listUnfinished(db, input.channel, input.afterId, input.limit, new Date());
    },
  };
}

export type CrawlActivities = ReturnType<typeof createCrawlActivities>;
