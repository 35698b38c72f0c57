import type { ChannelSource } from './source.ts';
import { expectSuccess, httpGet, readBodyCapped } from '../http/client.ts';
import { InvalidFeedError } from '../errors.ts';
import { parseFeed } from './feed-parser.ts';

// RSS and Atom feeds over HTTP: podcasts, blogs with enclosures, YouTube's channel feed.

export interface FeedSourceOptions {
  /** Largest feed accepted, in bytes; a bigger one is refused rather than parsed. */
  maxFeedBytes?: number;
}

export const DEFAULT_MAX_FEED_BYTES = 20 * 1024 * 1024;

export function createFeedSource(options: FeedSourceOptions = {}): ChannelSource {
  const maxFeedBytes = options.maxFeedBytes ?? DEFAULT_MAX_FEED_BYTES;
  return {
    name: 'feed',
    canList: (url) => url.protocol === 'http:' || url.protocol === 'https:',
    async list(url, signal) {
      const response = await httpGet(url, {
        signal,
        headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5' },
      });
      await expectSuccess(url, response);
      const body = await readBodyCapped(
        url,
        response.body,
        maxFeedBytes,
        (limit) => new InvalidFeedError(url, `larger than the ${limit}-byte limit for feeds`),
      );
      return parseFeed(new TextDecoder('utf-8').decode(body), url);
    },
  };
}
