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
  /**
   * How far back to go on a channel's first crawl: the newest N entries, or `all`. Where
   * the channel's listing shows fewer (a YouTube feed has 15), a backfill workflow lists
   * the rest with yt-dlp (src/workflows/backfill.ts).
   */
  backfill: Backfill;
  /** The channel's downloader settings, handed to each download it starts. */
  download?: DownloadOptions;
  /** Which entries to skip (filters, shorts, live streams); absent: every entry is downloadable. */
  rules?: ChannelRules;
}

/** The newest N entries of a channel, or all of them. */
export type Backfill = number | 'all';

/**
 * A channel's filters, as plain JSON (a person may type it into `temporal workflow start`).
 * Every field is optional; an absent field filters nothing. channels.yaml's `filters:`
 * and `include:` become this (src/config/channels.ts).
 */
export interface ChannelRules {
  /** A regular expression (JavaScript syntax, matched case-insensitively) a title must match. */
  titleInclude?: string;
  /** A regular expression a title must not match. */
  titleExclude?: string;
  /** Entries shorter than this many seconds are skipped; entries of unknown length are not. */
  minDurationSeconds?: number;
  /** Entries longer than this many seconds are skipped; entries of unknown length are not. */
  maxDurationSeconds?: number;
  /**
   * A date (`2024-01-01`, or an ISO timestamp) or an age counted back from the crawl
   * (`30d`, `2w`, `12h`): older entries are skipped; entries without a date are not.
   */
  publishedAfter?: string;
  /** Only the newest N entries of each listing (that pass the other rules) are downloadable. */
  maxItems?: number;
  /** `false`: skip Shorts. Default true. */
  shorts?: boolean;
  /** `false`: skip live streams (live, past and upcoming). Default true. */
  live?: boolean;
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
  /** Present when the channel answered 304 Not Modified: nothing was recorded. */
  notModified?: true;
  /**
   * Present when the channel's backfill has entries left to list: this crawl started its
   * backfill workflow, or found it running, going on from position `from`.
   */
  backfill?: { status: 'started' | 'running'; from: number };
}

/**
 * Input of the backfill workflow: the channel as its crawl had it, and the position in the
 * channel's full listing to go on from (1 is the newest entry). Plain JSON.
 */
export interface BackfillInput {
  crawl: CrawlInput;
  /** The 1-based position of the first entry still to list. */
  from: number;
  /** What the runs before this one (continued as new) did. */
  summary?: BackfillSummary;
}

/** What the backfill workflow returns, shown as its result in the Web UI. */
export interface BackfillSummary {
  /** Entries listed from the channel's full listing. */
  listed: number;
  /** Entries seen for the first time. */
  new: number;
  /** Download workflows started. */
  started: number;
  /** Videos whose download workflow was already running (or done). */
  alreadyRunning: number;
  /** Pages listed, over all runs. */
  pages: number;
}

/** Where a channel's backfill stands, as its crawl finds it in the database. */
export type BackfillPlan =
  /** Nothing to do: the listing covers it, it is done, or the source cannot list deeper. */
  | { status: 'none'; reason: string }
  /** Go on listing from this position. */
  | { status: 'due'; from: number };

/** One page of a backfill, recorded. */
export interface BackfillPage {
  /** Entries on the page. */
  listed: number;
  new: number;
  /** New entries to download (the rules let them through). */
  pending: PendingVideo[];
  /** The position of the first entry of the next page. */
  next: number;
  /** The listing ended, or the backfill reached its limit. */
  done: boolean;
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

/** What the crawl's fetch activity hands back: a source's result, or the counts of one it recorded. */
export type FetchedListing =
  | ListingResult
  /**
   * A listing too large to hand through the workflow's history (Temporal refuses payloads
   * over 2 MB): the fetching activity recorded it itself, in the same upsert.
   */
  | { status: 'recorded'; outcome: { entries: number; new: number } };

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
  /** The channel's downloader settings (yt-dlp format, cookies file) when it has any. */
  download?: DownloadOptions;
}

/**
 * Where a download goes, decided once by the resolve activity. Paths are relative to
 * the download folder of the host that runs the transfer: hosts may mount theirs anywhere.
 */
export interface DownloadTarget {
  mediaUrl: string;
  /** The channel's output template filled in (default `<channel>/<YYYY-MM-DD> <title> [<id>]`): the final path without folder or extension. */
  relativeStem: string;
  /** Extension from the declared media type or the URL, when the allow-list knows it. */
  declaredExt?: string;
  /** The downloader that fetches it: `http` or `ytdlp`. */
  method: string;
}

/** The host a transfer is pinned to: its part file lives there, so its retries go there. */
export interface DownloadHost {
  hostId: string;
  /** The task queue only that host's worker polls. */
  taskQueue: string;
}

/** What the download activity hands to finalize. */
export interface DownloadedMedia {
  bytes: number;
  sha256: string;
  contentType?: string;
  /** The extension the downloader chose (yt-dlp picks the container); wins over the declared one. */
  ext?: string;
  /** Where the complete file is, when the downloader did not leave it at the part path. */
  filePath?: string;
}

/** Files Parker writes next to a video on request (`write:` in channels.yaml). */
export const SIDECAR_KINDS = ['info_json', 'thumbnail', 'subtitles', 'nfo'] as const;
export type SidecarKind = (typeof SIDECAR_KINDS)[number];

/** Per-channel download settings: where files go, which sidecars, and yt-dlp's own. */
export interface DownloadOptions {
  /** Output template, e.g. `{channel}/{date} {title} [{id}].{ext}`; absent means that default. */
  output?: string;
  /** Sidecars to write next to the media. info_json, thumbnail and subtitles need yt-dlp. */
  write?: SidecarKind[];
  /** Subtitle languages yt-dlp fetches when `write` has `subtitles`, e.g. `['en', 'de']`. */
  subtitles?: string[];
  /** A yt-dlp format selector, e.g. `bv*[height<=720]+ba/b`. */
  format?: string;
  /** A Netscape cookies file yt-dlp sends to the site. Its contents are never logged. */
  cookies?: string;
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

/**
 * A channel's retention rule: keep the newest `last` downloaded videos (newest by
 * publication date), or the videos downloaded within the last `days` days.
 */
export type KeepRule = { last: number } | { days: number };

/** One channel's retention rule, as the maintenance workflow receives it. */
export interface ChannelKeepRule {
  channel: string;
  keep: KeepRule;
}

/**
 * Input of the maintenance workflow: what its schedule passes (the rules from
 * channels.yaml) and what a person types (`{"dryRun":true}`). Without `channels`, the
 * workflow reads the rules from the worker's channels.yaml.
 */
export interface MaintenanceInput {
  channels?: ChannelKeepRule[];
  /** List what would be deleted, delete nothing. */
  dryRun?: boolean;
}

/** A downloaded video that its channel's rule no longer keeps. */
export interface ExpiredVideo {
  id: number;
  externalId: string;
  filePath: string;
  /**
   * `delete`: its file is inside the download folder; `outside`: its file_path (or a
   * symlink on the way) leads outside the download folder, so it is reported, never touched.
   */
  verdict: 'delete' | 'outside';
  /** The files a delete removes (the video and its sidecars), when verdict is delete. */
  files: string[];
  /** Why an `outside` video is left alone. */
  reason?: string;
}

export interface ChannelMaintenanceReport {
  channel: string;
  keep: KeepRule;
  /** In a dry run, what would be deleted; otherwise what was deleted. */
  deleted: ExpiredVideo[];
  /** Rows whose file is outside the download folder: left alone, rows not marked. */
  refused: ExpiredVideo[];
}

/** What the maintenance workflow returns, shown as its result in the Web UI. */
export interface MaintenanceReport {
  dryRun: boolean;
  channels: ChannelMaintenanceReport[];
}
