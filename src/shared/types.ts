// Sandbox-safe shapes that cross the workflow/activity boundary. Only small JSON goes
// here (ids, urls, paths, counts), never media bytes or whole documents.

/**
 * Input of the crawl workflow: what a schedule passes and what a person types into
 * `temporal workflow start --input`.
 */
export interface CrawlInput {
  /** The channel's name from channels.yaml; also the folder its videos land in. */
  channel: string;
  /** The feed or channel address. */
  url: string;
  /** On the first crawl of a channel, download only the newest N entries. */
  backfill: number;
}

/** What the crawl workflow returns, shown as its result in the Web UI. */
export interface CrawlSummary {
  /** Entries in the channel's listing. */
  entries: number;
  /** Entries seen for the first time. */
  new: number;
  /** Download workflows this crawl started. */
  started: number;
  /** Videos whose download workflow was already running (or done): counted, not an error. */
  alreadyRunning: number;
}

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
}

export interface ChannelListing {
  /** Which format the listing came in: rss, atom or youtube. */
  kind: string;
  title?: string;
  entries: ListedVideo[];
  /**
   * The channel answered that nothing changed since the listing whose validator the
   * source sent (HTTP 304): `entries` is empty and nothing is to be recorded.
   */
  notModified?: boolean;
  /** What identifies this version of the listing, for the next conditional request. */
  validator?: ListingValidator;
}

/** HTTP validators of a listing: ETag and Last-Modified, as the server sent them. */
export interface ListingValidator {
  etag?: string;
  lastModified?: string;
}

/** A recorded video that still needs a download workflow. */
export interface PendingVideo {
  /** Database row id: a stable cursor when one crawl continues as new. */
  id: number;
  externalId: string;
  workflowId: string;
}

export interface RecordResult {
  new: number;
  pending: PendingVideo[];
}

/** Input of the download workflow; the database holds everything else about the video. */
export interface DownloadInput {
  channel: string;
  externalId: string;
}

/** Where a download goes, decided once by the resolve activity. */
export interface DownloadTarget {
  mediaUrl: string;
  /** `<final path>.part`: the download streams here and resumes from here. */
  partPath: string;
  /** The final path without its extension; finalize adds the extension. */
  finalStem: string;
  /** Extension from the declared media type or the URL, when the allow-list knows it. */
  declaredExt?: string;
}

/** What the download activity hands to finalize. */
export interface DownloadedMedia {
  bytes: number;
  sha256: string;
  contentType?: string;
}

/** Heartbeat details of the download activity, shown in the Web UI's pending activity. */
export interface DownloadProgress {
  bytesDone: number;
  totalBytes?: number;
  /** ETag or Last-Modified of the response being written. */
  validator?: string;
}

export interface DownloadSummary {
  status: 'downloaded';
  filePath: string;
  bytes: number;
  sha256: string;
}
