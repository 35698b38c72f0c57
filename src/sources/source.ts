import type { ListingResult, ListingState } from '../shared/types.ts';
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
