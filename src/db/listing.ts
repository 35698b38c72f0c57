import type { Db } from './connect.ts';
import { saveCrawl, upsertChannel } from './channels.ts';
import { hasVideos, upsertEntries } from './videos.ts';
import type { RecordOutcome } from '../rules/recording.ts';
import type { Backfill } from '../shared/crawl.ts';
import type { ChannelListing, ListingState } from '../shared/listing.ts';

// Recording a crawl's listing: the channel's row and its entries' rows, in one transaction.

/**
 * Records a channel's listing: each entry as src/rules/recording.ts decides (`filtered`:
 * the channel rules' reasons by external id, from src/rules/filters.ts; the backfill limit
 * only on a first crawl). Known entries keep their status; their title and links are refreshed.
 */
export async function recordListing(
  db: Db,
  channel: { name: string; url: string },
  listing: ChannelListing,
  backfill: Backfill,
  now = new Date(),
  state?: ListingState,
  filtered: ReadonlyMap<string, string> = new Map(),
): Promise<RecordOutcome> {
  return db.transaction(async (trx) => {
    await upsertChannel(trx, { name: channel.name, url: channel.url, kind: listing.kind, title: listing.title }, now);
    const firstCrawl = !(await hasVideos(trx, channel.name));
    const { outcome } = await upsertEntries(trx, channel.name, listing.entries, {
      filtered,
      backfill: firstCrawl && backfill !== 'all' ? backfill : undefined,
      refreshKnown: true,
      now,
    });
    // The validators go in with the entries they describe: stored apart, a crash between
    // the two would make the next crawl's 304 hide entries that were never recorded.
    await saveCrawl(trx, channel.name, { entries: outcome.entries, state }, now);
    return outcome;
  });
}
