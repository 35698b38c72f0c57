// The forms of a YouTube channel address, recognised and turned into what the feed
// needs. Pure: no I/O.
//
//   https://www.youtube.com/@handle            → resolved to a channel id on the channel page
//   https://www.youtube.com/c/name, /user/name → the same
//   https://www.youtube.com/channel/UC…        → the channel id itself
//   UC… (22 more characters, in channels.yaml)  → the same
//   https://www.youtube.com/playlist?list=PL…  → a playlist (any URL with ?list=)

export const DEFAULT_YOUTUBE_BASE_URL = 'https://www.youtube.com';

const YOUTUBE_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com']);

/** A channel id: `UC` and 22 characters of base64url. */
export const CHANNEL_ID = /^UC[A-Za-z0-9_-]{22}$/;
const PLAYLIST_ID = /^[A-Za-z0-9_-]{10,64}$/;

export type YoutubeTarget =
  | { kind: 'channel'; channelId: string }
  | { kind: 'playlist'; playlistId: string }
  /** A handle or custom URL: its path (`/@name`, `/c/name`, `/user/name`) on the base URL. */
  | { kind: 'page'; path: string };

/** `UC…` alone → its channel URL; anything else is returned as it is. */
export function expandBareChannelId(text: string): string {
  return CHANNEL_ID.test(text.trim()) ? `${DEFAULT_YOUTUBE_BASE_URL}/channel/${text.trim()}` : text;
}

/** Whether a URL is YouTube's: its hosts, or the configured base (a local server in tests). */
export function isYoutubeUrl(url: URL, baseUrl: string): boolean {
  return YOUTUBE_HOSTS.has(url.hostname.toLowerCase()) || url.origin === new URL(baseUrl).origin;
}

/** What a YouTube URL points at, or undefined when it is not a channel or playlist address. */
export function parseYoutubeUrl(url: URL): YoutubeTarget | undefined {
  const list = url.searchParams.get('list');
  if (list && PLAYLIST_ID.test(list)) return { kind: 'playlist', playlistId: list };
  const feedChannel = url.searchParams.get('channel_id');
  if (url.pathname === '/feeds/videos.xml' && feedChannel && CHANNEL_ID.test(feedChannel)) {
    return { kind: 'channel', channelId: feedChannel };
  }
  const feedPlaylist = url.searchParams.get('playlist_id');
  if (url.pathname === '/feeds/videos.xml' && feedPlaylist && PLAYLIST_ID.test(feedPlaylist)) {
    return { kind: 'playlist', playlistId: feedPlaylist };
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const [first, second] = segments;
  if (first === 'channel' && second && CHANNEL_ID.test(second)) return { kind: 'channel', channelId: second };
  // The channel page itself, whatever tab the pasted URL was on (/videos, /shorts…).
  if (first?.startsWith('@') && first.length > 1) return { kind: 'page', path: `/@${encodeURIComponent(decodeURIComponent(first.slice(1)))}` };
  if ((first === 'c' || first === 'user') && second) return { kind: 'page', path: `/${first}/${encodeURIComponent(decodeURIComponent(second))}` };
  return undefined;
}

/** The public Atom feed of a channel or playlist on the base URL. */
export function feedUrlFor(baseUrl: string, target: { channelId: string } | { playlistId: string }): string {
  const url = new URL('/feeds/videos.xml', baseUrl);
  if ('channelId' in target) url.searchParams.set('channel_id', target.channelId);
  else url.searchParams.set('playlist_id', target.playlistId);
  return url.href;
}

/**
 * The playlist that holds all of a channel's uploads, newest first, or the playlist
 * itself: what yt-dlp lists, page by page, for a backfill. A channel's uploads playlist
 * is its id with `UU` for `UC`; its tabs (Videos, Shorts, Live) would list apart.
 */
export function fullListingUrlFor(baseUrl: string, target: { channelId: string } | { playlistId: string }): string {
  const url = new URL('/playlist', baseUrl);
  url.searchParams.set('list', 'channelId' in target ? `UU${target.channelId.slice(2)}` : target.playlistId);
  return url.href;
}

/** The watch page yt-dlp downloads a video from, on the base URL. */
export function watchUrlFor(baseUrl: string, videoId: string): string {
  const url = new URL('/watch', baseUrl);
  url.searchParams.set('v', videoId);
  return url.href;
}

/**
 * The channel id a channel page carries, looked for where YouTube puts the page's own
 * id (canonical link, channelId meta, the page's externalId) before any `"channelId"`,
 * which also appears for other channels the page mentions.
 */
export function channelIdFromPage(html: string): string | undefined {
  const patterns = [
    /<link[^>]+rel="canonical"[^>]+href="[^"]*\/channel\/(UC[A-Za-z0-9_-]{22})"/,
    /<link[^>]+href="[^"]*\/channel\/(UC[A-Za-z0-9_-]{22})"[^>]+rel="canonical"/,
    /<meta[^>]+itemprop="(?:channelId|identifier)"[^>]+content="(UC[A-Za-z0-9_-]{22})"/,
    /"externalId":"(UC[A-Za-z0-9_-]{22})"/,
    /"channelId":"(UC[A-Za-z0-9_-]{22})"/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(html);
    if (match) return match[1];
  }
  return undefined;
}
