import type { ListedVideo } from '../shared/listing.ts';

// The order Parker reads a listing in, shared by the backfill limit and the max_items
// rule so both agree on which entries are "the newest". Pure.

/** One entry per external id: feeds do repeat themselves. The first one wins. */
export function uniqueEntries(entries: ListedVideo[]): ListedVideo[] {
  const seen = new Set<string>();
  return entries.filter((entry) => !seen.has(entry.externalId) && seen.add(entry.externalId));
}

/** Newest first; entries without a date sort last, in feed order. */
export function newestFirst(entries: ListedVideo[]): ListedVideo[] {
  return entries
    .map((entry, index) => ({ entry, index, time: entry.publishedAt ? Date.parse(entry.publishedAt) : -Infinity }))
    .sort((a, b) => b.time - a.time || a.index - b.index)
    .map(({ entry }) => entry);
}
