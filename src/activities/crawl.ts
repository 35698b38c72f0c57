import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { listUnfinished, recordListing, type RecordOutcome } from '../db/videos.ts';
import { sourceFor, type ChannelSource } from '../sources/source.ts';
import type { ChannelListing, CrawlInput, PendingVideo } from '../shared/types.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import { translatingErrors } from './failures.ts';

// The crawl's I/O: list the channel, record what was listed, and hand back the videos
// that still need a download.

export interface CrawlActivityDeps {
  db: Db;
  sources: readonly ChannelSource[];
  metrics: ActivityMetrics;
}

/** The failure type a crawl error is counted under: bounded, unlike messages. */
function failureReason(error: unknown): string {
  if (error instanceof ApplicationFailure && error.type) return error.type;
  return error instanceof Error ? error.name : 'Error';
}

export function createCrawlActivities({ db, sources, metrics }: CrawlActivityDeps) {
  return {
    /** Fetches and parses the channel's listing. */
    async fetchListing(input: CrawlInput): Promise<ChannelListing> {
      const { log, cancellationSignal } = Context.current();
      try {
        return await translatingErrors(async () => {
          const source = sourceFor(sources, input.url);
          const listing = await source.list(input.url, cancellationSignal);
          if (listing.notModified) {
            metrics.feedsNotModified.add(1, { channel: input.channel });
            log.info('channel not modified since its last recorded listing', { channel: input.channel, source: source.name });
          } else {
            log.info('channel listed', {
              channel: input.channel,
              source: source.name,
              kind: listing.kind,
              entries: listing.entries.length,
            });
          }
          return listing;
        });
      } catch (error) {
        // Every failed attempt counts: a site that changed shows up at once, not after
        // the retries ran out.
        metrics.crawlErrors.add(1, { channel: input.channel, reason: failureReason(error) });
        throw error;
      }
    },

    /** Upserts the channel and its entries; a first crawl applies the backfill limit. */
    async recordListing(input: { crawl: CrawlInput; listing: ChannelListing }): Promise<RecordOutcome> {
      const { crawl, listing } = input;
      if (listing.notModified) {
        return { entries: 0, new: 0, discovered: 0, skipped: { backfillLimit: 0, notDownloadable: 0 } };
      }
      const outcome = await recordListing(db, { name: crawl.channel, url: crawl.url }, listing, crawl.backfill);
      if (listing.validator) sourceFor(sources, crawl.url).remember?.(crawl.url, listing.validator);
      const channel = crawl.channel;
      if (outcome.discovered > 0) metrics.videosDiscovered.add(outcome.discovered, { channel });
      if (outcome.skipped.backfillLimit > 0) {
        metrics.videosSkipped.add(outcome.skipped.backfillLimit, { channel, reason: 'backfill_limit' });
      }
      if (outcome.skipped.notDownloadable > 0) {
        metrics.videosSkipped.add(outcome.skipped.notDownloadable, { channel, reason: 'not_downloadable' });
      }
      return outcome;
    },

    /** Recorded videos of a channel that have no end yet, in pages after a row id. */
    async listUnfinishedVideos(input: { channel: string; afterId: number; limit: number }): Promise<PendingVideo[]> {
      return listUnfinished(db, input.channel, input.afterId, input.limit);
    },
  };
}

export type CrawlActivities = ReturnType<typeof createCrawlActivities>;
