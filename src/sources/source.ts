import type { ChannelListing } from '../shared/types.ts';
import { RefusedUrlError } from '../errors.ts';

// A source lists the videos of one kind of channel. Each kind (feeds now; YouTube pages
// and yt-dlp sites later) is one module behind this interface.

export interface ChannelSource {
  /** Short name used in logs and in the channels table's `kind` column. */
  readonly name: string;
  /** Whether this source knows how to list the channel at this URL. */
  canList(url: URL): boolean;
  /** Lists the channel's videos, newest first when the channel says so. */
  list(url: string, signal?: AbortSignal): Promise<ChannelListing>;
}

/** Picks the first source that can list a URL; the last source should accept anything. */
export function sourceFor(sources: readonly ChannelSource[], url: string): ChannelSource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RefusedUrlError(`"${url.slice(0, 200)}" is not a URL`);
  }
  const source = sources.find((candidate) => candidate.canList(parsed));
  if (!source) throw new RefusedUrlError(`no source can list ${url.slice(0, 200)}`);
  return source;
}
