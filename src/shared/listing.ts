// A channel's listing as a source found it, and what a source keeps between crawls.
// Sandbox-safe: small JSON only.

/** One entry of a channel's listing, as a source found it. */
export interface ListedVideo {
  /** The id the source gives the video (guid, yt:videoId, atom id). */
  externalId: string;
  title: string;
  /** The page of the video, if any. */
  url?: string;
  /** A direct link to the media file, if the source has one. */
  mediaUrl?: string;
  /** The media type the source declared for mediaUrl (e.g. audio/mpeg). */
  mediaType?: string;
  /** ISO 8601 timestamp. */
  publishedAt?: string;
  /** Why the entry cannot be downloaded (recorded as status `skipped`). */
  skipReason?: string;
  /**
   * The downloader that fetches it: `http` (the default) downloads mediaUrl as a file;
   * `ytdlp` hands mediaUrl, a video page, to yt-dlp.
   */
  downloader?: 'http' | 'ytdlp';
  /** A YouTube Short (or another site's vertical short), when the source can tell. */
  isShort?: boolean;
  /** A live stream, past or present, when the source can tell. */
  isLive?: boolean;
  /** Length in seconds, when the source says. */
  durationSeconds?: number;
  /** Who uploaded it, when the source says (feed author, yt-dlp's uploader). */
  uploader?: string;
  /** The entry's description or summary, when the source has one (for the NFO's plot). */
  description?: string;
}

export interface ChannelListing {
  /** Which format the listing came in: rss, atom or youtube. */
  kind: string;
  title?: string;
  entries: ListedVideo[];
}

/**
 * What a source keeps between crawls of a channel, stored with its row: an id resolved
 * once, and the validators of the last listing for a conditional GET.
 */
export interface ListingState {
  /** The id a handle or custom URL resolved to (YouTube: `UC…`). */
  resolvedId?: string;
  /** The channel URL that resolvedId was resolved from; another URL resolves again. */
  resolvedFrom?: string;
  etag?: string;
  lastModified?: string;
}

/** A source's answer: a listing to record, or "nothing changed since the validators given". */
export type ListingResult =
  | { status: 'listed'; listing: ChannelListing; state: ListingState }
  | { status: 'notModified' };
