import type { ChannelSource } from './source.ts';
import { expectSuccess, discardBody, readBodyCapped, type HttpClient } from '../http/client.ts';
import { InvalidFeedError, NotAFeedError } from '../errors.ts';
import { parseFeed } from './feed-parser.ts';
import type { ChannelListing, ListingState } from '../shared/listing.ts';

// RSS and Atom feeds over HTTP: podcasts, blogs with enclosures, YouTube's channel feed.
// Fetched with a conditional GET: a 304 means nothing changed and nothing is recorded.

export interface FeedSourceOptions {
  /** The worker's HTTP client, with its address policy. */
  http: HttpClient;
  /** Largest feed accepted, in bytes; a bigger one is refused rather than parsed. */
  maxFeedBytes?: number;
}

export const DEFAULT_MAX_FEED_BYTES = 20 * 1024 * 1024;

export type FeedFetch =
  | { status: 'listed'; listing: ChannelListing; etag?: string; lastModified?: string }
  | { status: 'notModified' };

/**
 * GETs and parses a feed, sending the validators of the last recorded fetch. An HTML
 * page (a site's channel page, not a feed) is NotAFeedError, so another source may try.
 */
export async function fetchFeed(
  http: HttpClient,
  url: string,
  options: { signal?: AbortSignal; validators?: Pick<ListingState, 'etag' | 'lastModified'>; maxFeedBytes?: number },
): Promise<FeedFetch> {
  const headers: Record<string, string> = {
    accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5',
  };
  if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
  if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
  const response = await http.get(url, { signal: options.signal, headers });
  if (response.status === 304) {
    discardBody(response);
    return { status: 'notModified' };
  }
  await expectSuccess(url, response);
  const contentType = (response.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('text/html') || contentType.startsWith('application/xhtml')) {
    discardBody(response);
    throw new NotAFeedError(url, contentType);
  }
  const body = await readBodyCapped(
    url,
    response.body,
    options.maxFeedBytes ?? DEFAULT_MAX_FEED_BYTES,
    (limit) => new InvalidFeedError(url, `larger than the ${limit}-byte limit for feeds`),
  );
  return {
    status: 'listed',
    listing: parseFeed(new TextDecoder('utf-8').decode(body), url),
    etag: response.headers.etag,
    lastModified: response.headers['last-modified'],
  };
}

export function createFeedSource(options: FeedSourceOptions): ChannelSource {
  return {
    name: 'feed',
    canList: (url) => url.protocol === 'http:' || url.protocol === 'https:',
    async list({ url, signal, state }) {
      const fetched = await fetchFeed(options.http, url, { signal, validators: state, maxFeedBytes: options.maxFeedBytes });
      if (fetched.status === 'notModified') return fetched;
      return { status: 'listed', listing: fetched.listing, state: { etag: fetched.etag, lastModified: fetched.lastModified } };
    },
  };
}
