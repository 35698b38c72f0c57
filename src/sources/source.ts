import type { ListedVideo, ListingResult, ListingState } from '../shared/listing.ts';
import { RefusedUrlError } from '../errors.ts';

// A source lists the videos of one kind of channel. Each kind (feeds, YouTube channels,
// any other site through yt-dlp) is one module behind this interface.

export interface ListRequest {
  /** The channel's URL from channels.yaml. */
  url: string;
  signal?: AbortSignal;
  /** What this source learned on the channel's last recorded crawl; `{}` the first time. */
  state: ListingState;
}

/** A stretch of a channel's full listing, for a backfill. */
export interface PageRequest extends ListRequest {
  /** Position of the first entry wanted; 1 is the newest. */
  from: number;
  count: number;
}

export interface ListedPage {
  entries: ListedVideo[];
  /** Entries the listing had at those positions, including any dropped as unusable. */
  listed: number;
  /** The listing has nothing after this page. */
  ended: boolean;
}

export interface ChannelSource {
  /** Short name used in logs. */
  readonly name: string;
  /** Whether this source knows how to list the channel at this URL. */
  canList(url: URL): boolean;
  /**
   * Lists the channel's videos, newest first when the channel says so, with the state to
   * keep for next time; or `notModified` when the validators in `state` still hold.
   */
  list(request: ListRequest): Promise<ListingResult>;
  /**
   * The most entries list() gives (a YouTube feed's 15): a listing of fewer is the whole
   * channel, and a backfill would find nothing more.
   */
  readonly listsAtMost?: number;
  /**
   * Lists a stretch of the channel's full listing, newest first, where list() sees only
   * the newest entries (a YouTube feed has 15). Absent when list() sees all there is.
   */
  listPage?(request: PageRequest): Promise<ListedPage>;
}

/** The sources that can list a URL, in order; the crawl tries the next one when a source says "not mine". */
export function sourcesFor(sources: readonly ChannelSource[], url: string): ChannelSource[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RefusedUrlError(`"${url.slice(0, 200)}" is not a URL`);
  }
  const candidates = sources.filter((candidate) => candidate.canList(parsed));
  if (candidates.length === 0) throw new RefusedUrlError(`no source can list ${url.slice(0, 200)}`);
  return candidates;
}
