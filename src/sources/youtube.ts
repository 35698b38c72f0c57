import type { ChannelSource } from './source.ts';
import { expectSuccess, httpGet, readBodyCapped } from '../http/client.ts';
import { InvalidFeedError } from '../errors.ts';
import { fetchFeed } from './feed.ts';
import { channelIdFromPage, feedUrlFor, isYoutubeUrl, parseYoutubeUrl, watchUrlFor } from './youtube-url.ts';

// YouTube channels and playlists, in every form a user pastes (see youtube-url.ts). New
// videos come from the public Atom feed, fetched with a conditional GET; a handle or
// custom URL is resolved to its channel id once, from the channel page, and kept in the
// channel's state. Every request goes to the base URL (YOUTUBE_BASE_URL), so the tests
// point the whole source at a local server.

export interface YoutubeSourceOptions {
  /** Where YouTube is: https://www.youtube.com, or a local server in tests. */
  baseUrl: string;
}

/** A channel page is big, but not this big. */
const MAX_PAGE_BYTES = 5 * 1024 * 1024;

async function resolveChannelId(pageUrl: string, signal: AbortSignal | undefined): Promise<string> {
  const response = await httpGet(pageUrl, {
    signal,
    // SOCS=CAI answers the EU cookie-consent interstitial, which carries no channel id.
    headers: { accept: 'text/html', 'accept-language': 'en', cookie: 'SOCS=CAI' },
  });
  await expectSuccess(pageUrl, response);
  const body = await readBodyCapped(pageUrl, response.body, MAX_PAGE_BYTES, (limit) => new InvalidFeedError(pageUrl, `channel page larger than ${limit} bytes`));
  const channelId = channelIdFromPage(new TextDecoder('utf-8').decode(body));
  if (!channelId) throw new InvalidFeedError(pageUrl, 'the channel page carries no channel id (UC…)');
  return channelId;
}

export function createYoutubeSource(options: YoutubeSourceOptions): ChannelSource {
  const { baseUrl } = options;
  return {
    name: 'youtube',
    canList: (url) => isYoutubeUrl(url, baseUrl) && parseYoutubeUrl(url) !== undefined,
    async list({ url, signal, state }) {
      const target = parseYoutubeUrl(new URL(url))!;
      let feedTarget: { channelId: string } | { playlistId: string };
      let resolvedId: string | undefined;
      if (target.kind === 'page') {
        // Once per URL: the id of a channel never changes, its handle may.
        resolvedId =
          state.resolvedFrom === url && state.resolvedId ? state.resolvedId : await resolveChannelId(new URL(target.path, baseUrl).href, signal);
        feedTarget = { channelId: resolvedId };
      } else {
        feedTarget = target.kind === 'channel' ? { channelId: target.channelId } : { playlistId: target.playlistId };
      }
      // Validators belong to the feed they came from; a newly resolved id starts afresh.
      const sameFeed = target.kind !== 'page' || state.resolvedId === resolvedId;
      const fetched = await fetchFeed(feedUrlFor(baseUrl, feedTarget), { signal, validators: sameFeed ? state : undefined });
      if (fetched.status === 'notModified') return fetched;
      const entries = fetched.listing.entries.map((entry) =>
        entry.downloader === 'ytdlp' ? { ...entry, mediaUrl: watchUrlFor(baseUrl, entry.externalId) } : entry,
      );
      return {
        status: 'listed',
        listing: { ...fetched.listing, kind: 'youtube', entries },
        state: {
          ...(resolvedId ? { resolvedId, resolvedFrom: url } : {}),
          etag: fetched.etag,
          lastModified: fetched.lastModified,
        },
      };
    },
  };
}
