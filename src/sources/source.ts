import type { ChannelListing, ListingValidator } from '../shared/types.ts';

// A source lists the videos of one kind of channel. Each kind (feeds now; YouTube pages
// and yt-dlp sites later) is one module behind this interface.

export interface ChannelSource {
  /** Short name used in logs and in the channels table's `kind` column. */
  readonly name: string;
  /** Whether this source knows how to list the channel at this URL. */
  canList(url: URL): boolean;
  /** Lists the channel's videos, newest first when the channel says so. */
  list(url: string, signal?: AbortSignal): Promise<ChannelListing>;
  /**
   * Tells the source that the listing with this validator is recorded, so it may ask the
   * channel for changes since then. Called only after the recording committed: a
   * "not modified" answer must never hide entries that were listed but not recorded.
   */
  remember?(url: string, validator: ListingValidator): void;
}

/** Picks the first source that can list a URL; the last source should accept anything. */
export function sourceFor(sources: readonly ChannelSource[], url: string): ChannelSource {
  const parsed = new URL(url);
  const source = sources.find((candidate) => candidate.canList(parsed));
  if (!source) throw new Error(`no source can list ${url}`);
  return source;
}
