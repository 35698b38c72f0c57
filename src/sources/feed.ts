import type { ChannelSource } from './source.ts';
import { discardBody, expectSuccess, httpGet, readBodyCapped } from '../http/client.ts';
import { InvalidFeedError } from '../errors.ts';
import type { ListingValidator } from '../shared/types.ts';
import { parseFeed } from './feed-parser.ts';

// RSS and Atom feeds over HTTP: podcasts, blogs with enclosures, YouTube's channel feed.
// A feed whose recorded version had an ETag or Last-Modified is fetched conditionally;
// an unchanged feed answers 304 and costs neither the transfer nor the parse.

export interface FeedSourceOptions {
  /** Largest feed accepted, in bytes; a bigger one is refused rather than parsed. */
  maxFeedBytes?: number;
}

export const DEFAULT_MAX_FEED_BYTES = 20 * 1024 * 1024;

export function createFeedSource(options: FeedSourceOptions = {}): ChannelSource {
  const maxFeedBytes = options.maxFeedBytes ?? DEFAULT_MAX_FEED_BYTES;
  // In memory, per worker process: a restart or another worker only costs one full fetch.
  const recorded = new Map<string, ListingValidator>();
  return {
    name: 'feed',
    canList: (url) => url.protocol === 'http:' || url.protocol === 'https:',
    async list(url, signal) {
      const known = recorded.get(url);
      const response = await httpGet(url, {
        signal,
        headers: {
          accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5',
          ...(known?.etag ? { 'if-none-match': known.etag } : {}),
          ...(known?.lastModified ? { 'if-modified-since': known.lastModified } : {}),
        },
      });
      if (response.status === 304 && known) {
        discardBody(response);
        return { kind: 'not-modified', entries: [], notModified: true, validator: known };
      }
      await expectSuccess(url, response);
      const body = await readBodyCapped(
        url,
        response.body,
        maxFeedBytes,
        (limit) => new InvalidFeedError(url, `larger than the ${limit}-byte limit for feeds`),
      );
      const listing = parseFeed(new TextDecoder('utf-8').decode(body), url);
      const validator: ListingValidator = {
        ...(response.headers.etag ? { etag: response.headers.etag } : {}),
        ...(response.headers['last-modified'] ? { lastModified: response.headers['last-modified'] } : {}),
      };
      return Object.keys(validator).length > 0 ? { ...listing, validator } : listing;
    },
    remember(url, validator) {
      recorded.set(url, validator);
    },
  };
}
