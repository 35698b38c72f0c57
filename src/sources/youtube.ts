import type { ChannelSource } from './source.ts';
import { expectSuccess, readBodyCapped, type HttpClient } from '../http/client.ts';
import { InvalidFeedError } from '../errors.ts';
import { fetchFeed } from './feed.ts';
import { channelIdFromPage, feedUrlFor, fullListingUrlFor, isYoutubeUrl, parseYoutubeUrl, watchUrlFor } from './youtube-url.ts';
import { listWithYtDlp, type YtDlpSourceOptions } from './ytdlp.ts';
import type { ListingState } from '../shared/listing.ts';

// YouTube channels and playlists, in every form a user pastes (see youtube-url.ts). New
// videos come from the public Atom feed, fetched with a conditional GET; a handle or
// custom URL is resolved to its channel id once, from the channel page, and kept in the
// channel's state. Every request goes to the base URL (YOUTUBE_BASE_URL), so the tests
// point the whole source at a local server. A backfill beyond the feed's 15 entries
// lists the channel's uploads playlist with yt-dlp, a page at a time.

export interface YoutubeSourceOptions {
  /** The worker's HTTP client, with its address policy. */
  http: HttpClient;
  /** Where YouTube is: https://www.youtube.com, or a local server in tests. */
  baseUrl: string;
  /** yt-dlp, which lists a channel beyond its feed (a backfill). */
  ytdlp: YtDlpSourceOptions;
}

/** YouTube's feeds hold a channel's (or playlist's) newest 15 entries. */
const FEED_ENTRIES = 15;

/** A channel page is big, but not this big. */
const MAX_PAGE_BYTES = 5 * 1024 * 1024;

async function resolveChannelId(http: HttpClient, pageUrl: string, signal: AbortSignal | undefined): Promise<string> {
  const response = await http.get(pageUrl, {
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

  /** The channel or playlist a URL names; a handle or custom URL is resolved once per URL. */
  async function feedTargetOf(url: string, state: ListingState, signal: AbortSignal | undefined) {
    const target = parseYoutubeUrl(new URL(url))!;
    if (target.kind !== 'page') {
      return { feedTarget: target.kind === 'channel' ? { channelId: target.channelId } : { playlistId: target.playlistId } };
    }
    // Once per URL: the id of a channel never changes, its handle may.
    const resolvedId =
      state.resolvedFrom === url && state.resolvedId ? state.resolvedId : await resolveChannelId(options.http, new URL(target.path, baseUrl).href, signal);
    return { feedTarget: { channelId: resolvedId }, resolvedId };
  }

  return {
    name: 'youtube',
    listsAtMost: FEED_ENTRIES,
    canList: (url) => isYoutubeUrl(url, baseUrl) && parseYoutubeUrl(url) !== undefined,
    async list({ url, signal, state }) {
      const { feedTarget, resolvedId } = await feedTargetOf(url, state, signal);
      // Validators belong to the feed they came from; a newly resolved id starts afresh.
      const sameFeed = resolvedId === undefined || state.resolvedId === resolvedId;
      const fetched = await fetchFeed(options.http, feedUrlFor(baseUrl, feedTarget), { signal, validators: sameFeed ? state : undefined });
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
    async listPage({ url, state, signal, from, count }) {
      const { feedTarget } = await feedTargetOf(url, state, signal);
      // A flat listing of YouTube has no dates but "3 years ago"; yt-dlp turns that into an
      // approximate date on request, which published_after can then judge.
      const page = await listWithYtDlp(options.ytdlp, fullListingUrlFor(baseUrl, feedTarget), { from, to: from + count - 1 }, signal, [
        'youtubetab:approximate_date',
      ]);
      // Fetched from the same watch URL the feed's entries get, on the base URL.
      const entries = page.entries.map((entry) => ({ ...entry, mediaUrl: watchUrlFor(baseUrl, entry.externalId) }));
      return { entries, listed: page.listed, ended: page.ended };
    },
  };
}
