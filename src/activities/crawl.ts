import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { listUnfinished, recordListing, type RecordOutcome } from '../db/videos.ts';
import { sourceFor, type ChannelSource } from '../sources/source.ts';
import type { ChannelListing, CrawlInput, PendingVideo } from '../shared/types.ts';
import { translatingErrors } from './failures.ts';

// The crawl's I/O: list the channel, record what was listed, and hand back the videos
// that still need a download.

export interface CrawlActivityDeps {
  db: Db;
  sources: readonly ChannelSource[];
}

export function createCrawlActivities({ db, sources }: CrawlActivityDeps) {
  return {
    /** Fetches and parses the channel's listing. */
    async fetchListing(input: CrawlInput): Promise<ChannelListing> {
      return translatingErrors(async () => {
        const source = sourceFor(sources, input.url);
        const listing = await source.list(input.url, Context.current().cancellationSignal);
        Context.current().log.info('channel listed', {
          channel: input.channel,
          source: source.name,
          kind: listing.kind,
          entries: listing.entries.length,
        });
        return listing;
      });
    },

    /** Upserts the channel and its entries; a first crawl applies the backfill limit. */
    async recordListing(input: { crawl: CrawlInput; listing: ChannelListing }): Promise<RecordOutcome> {
      const { crawl, listing } = input;
      return recordListing(db, { name: crawl.channel, url: crawl.url }, listing, crawl.backfill);
    },

    /** Recorded videos of a channel that have no end yet, in pages after a row id. */
    async listUnfinishedVideos(input: { channel: string; afterId: number; limit: number }): Promise<PendingVideo[]> {
      return listUnfinished(db, input.channel, input.afterId, input.limit);
    },
  };
}

export type CrawlActivities = ReturnType<typeof createCrawlActivities>;
