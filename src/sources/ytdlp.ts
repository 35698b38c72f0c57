import type { ChannelSource } from './source.ts';
import { DownloaderFailedError, InvalidFeedError } from '../errors.ts';
import type { ListedVideo } from '../shared/listing.ts';
import { errorFromYtDlpRun } from '../ytdlp/errors.ts';
import { invocationArgs, type YtDlpInvocation } from '../ytdlp/invocation.ts';
import { runProcess } from '../ytdlp/run.ts';

// Any other site yt-dlp supports: a channel or playlist page that is not a feed is
// listed with `yt-dlp --flat-playlist -J` (entries without resolving each video).

export interface YtDlpSourceOptions extends YtDlpInvocation {
  /** The newest this many entries are listed on each crawl. */
  maxEntries?: number;
  /** A listing that prints nothing for this long is killed. */
  stallTimeoutMs?: number;
}

const MAX_LISTING_BYTES = 50 * 1024 * 1024;

type Json = Record<string, unknown>;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function publishedAt(entry: Json): string | undefined {
  const timestamp = num(entry.timestamp) ?? num(entry.release_timestamp);
  if (timestamp !== undefined) return new Date(timestamp * 1000).toISOString();
  const day = str(entry.upload_date);
  return day && /^\d{8}$/.test(day) ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00.000Z` : undefined;
}

/**
 * The URL that fetches this one video. Usually its own page; but videos embedded in the
 * listed page itself (HTML5 <video> tags) all name that page, which would fetch them all,
 * so those are fetched by their single media URL.
 */
function videoUrl(entry: Json, page: string, listingUrl: string | undefined): string {
  if (page !== listingUrl || !Array.isArray(entry.formats) || entry.formats.length !== 1) return page;
  const direct = str((entry.formats[0] as Json | undefined)?.url);
  return direct && /^https?:\/\//i.test(direct) ? direct : page;
}

/** One entry of yt-dlp's JSON → a listed video, or undefined when it has no id or URL. */
export function listedFromYtDlp(entry: Json, listingUrl?: string): ListedVideo | undefined {
  const externalId = str(entry.id);
  const page = str(entry.webpage_url) ?? str(entry.url) ?? str(entry.original_url);
  if (!externalId || !page || !/^https?:\/\//i.test(page)) return undefined;
  const liveStatus = str(entry.live_status);
  const uploader = str(entry.uploader) ?? str(entry.channel);
  const description = str(entry.description);
  return {
    externalId,
    title: (str(entry.title) ?? 'untitled').slice(0, 500),
    url: page,
    mediaUrl: videoUrl(entry, page, listingUrl),
    downloader: 'ytdlp',
    publishedAt: publishedAt(entry),
    durationSeconds: num(entry.duration),
    ...(uploader ? { uploader: uploader.slice(0, 255) } : {}),
    ...(description ? { description: description.slice(0, 5000) } : {}),
    ...(liveStatus === 'is_live' || liveStatus === 'was_live' || liveStatus === 'is_upcoming' ? { isLive: true } : {}),
    ...(/\/shorts\//.test(page) ? { isShort: true } : {}),
  };
}

/** Which entries of a playlist to list: yt-dlp's 1-based `--playlist-items from:to`. */
interface ListingRange {
  from: number;
  to: number;
}

/**
 * Lists a channel or playlist with `yt-dlp --flat-playlist`, the entries in `range` only.
 * `listed` counts the entries yt-dlp gave, including any without an id or URL; `ended`
 * says the listing had fewer than the range asked for, so nothing comes after it.
 * `extractorArgs` are options only one extractor reads, e.g. `youtubetab:approximate_date`.
 */
export async function listWithYtDlp(
  options: YtDlpSourceOptions,
  url: string,
  range: ListingRange,
  signal: AbortSignal | undefined,
  extractorArgs: string[] = [],
): Promise<{ title?: string; entries: ListedVideo[]; listed: number; ended: boolean }> {
  const result = await runProcess({
    binary: options.binary,
    args: [
      ...invocationArgs(options),
      '--flat-playlist',
      '--dump-single-json',
      '--playlist-items',
      `${range.from}:${range.to}`,
      '--socket-timeout',
      '30',
      ...extractorArgs.flatMap((value) => ['--extractor-args', value]),
      '--',
      url,
    ],
    signal,
    stallTimeoutMs: options.stallTimeoutMs ?? 120_000,
    maxStdoutBytes: MAX_LISTING_BYTES,
  });
  if (result.stalled) throw new DownloaderFailedError(`${url}: yt-dlp listed nothing for too long and was killed`);
  if (result.code !== 0) {
    throw errorFromYtDlpRun('listing', url, result);
  }
  let document: Json;
  try {
    document = JSON.parse(result.stdout) as Json;
  } catch (error) {
    throw new InvalidFeedError(url, `yt-dlp's listing is not JSON${result.stdoutTruncated ? ' (too large)' : ''}`, { cause: error });
  }
  // A single video's URL gives that video, not a playlist.
  const raw = Array.isArray(document.entries) ? (document.entries as Json[]) : [document];
  const entries = raw.flatMap((entry) => {
    const listed = entry && typeof entry === 'object' ? listedFromYtDlp(entry, url) : undefined;
    return listed ? [listed] : [];
  });
  return { title: str(document.title), entries, listed: raw.length, ended: raw.length < range.to - range.from + 1 };
}

export function createYtDlpSource(options: YtDlpSourceOptions): ChannelSource {
  const maxEntries = options.maxEntries ?? 100;
  return {
    name: 'ytdlp',
    listsAtMost: maxEntries,
    canList: (url) => url.protocol === 'http:' || url.protocol === 'https:',
    async list({ url, signal }) {
      const { title, entries } = await listWithYtDlp(options, url, { from: 1, to: maxEntries }, signal);
      return { status: 'listed', listing: { kind: 'ytdlp', title, entries }, state: {} };
    },
    async listPage({ url, signal, from, count }) {
      const { entries, listed, ended } = await listWithYtDlp(options, url, { from, to: from + count - 1 }, signal);
      return { entries, listed, ended };
    },
  };
}
