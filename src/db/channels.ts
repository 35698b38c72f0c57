import type { Db } from './connect.ts';
import { toDbTime } from './connect.ts';
import type { ListingState } from '../shared/listing.ts';

// Small typed queries over `channels`: a channel's row, and what its crawls learned about
// it. Every write is an upsert or an update of the row, so running one twice changes nothing.

export async function upsertChannel(
  db: Db,
  channel: { name: string; url: string; kind?: string; title?: string },
  now = new Date(),
): Promise<void> {
  const time = toDbTime(now);
  await db('channels')
    .insert({ name: channel.name, url: channel.url, kind: channel.kind ?? null, title: channel.title ?? null, created_at: time, updated_at: time })
    .onConflict('name')
    .merge(['url', 'kind', 'title', 'updated_at']);
}

/** What a channel's source learned on earlier crawls, for the next one; empty for a new channel. */
export async function getListingState(db: Db, channel: string): Promise<ListingState> {
  const row = (await db('channels')
    .where({ name: channel })
    .first('resolved_id', 'resolved_from', 'listing_etag', 'listing_last_modified')) as
    | { resolved_id: string | null; resolved_from: string | null; listing_etag: string | null; listing_last_modified: string | null }
    | undefined;
  if (!row) return {};
  const state: ListingState = {};
  if (row.resolved_id) state.resolvedId = row.resolved_id;
  if (row.resolved_from) state.resolvedFrom = row.resolved_from;
  if (row.listing_etag) state.etag = row.listing_etag;
  if (row.listing_last_modified) state.lastModified = row.listing_last_modified;
  return state;
}

/** Stores a crawl on the channel's row: when, how many entries it listed, and the source's state for the next one. */
export async function saveCrawl(db: Db, channel: string, crawl: { entries: number; state?: ListingState }, now = new Date()): Promise<void> {
  await db('channels')
    .where({ name: channel })
    .update({
      last_crawled_at: toDbTime(now),
      listing_entries: crawl.entries,
      resolved_id: crawl.state?.resolvedId ?? null,
      resolved_from: crawl.state?.resolvedFrom ?? null,
      listing_etag: crawl.state?.etag ?? null,
      listing_last_modified: crawl.state?.lastModified ?? null,
    });
}
