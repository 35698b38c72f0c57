// Shapes of the download workflow and its activities: ids, urls, relative paths and counts,
// never media bytes. Sandbox-safe.

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

/** What a claim answers: the host, and for a rate-limited site the start it gave the transfer. */
export interface ClaimedHost extends DownloadHost {
  /** Epoch ms, on the host's clock, at which the transfer starts (src/rules/transfer-turn.ts). */
  startAt?: number;
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
  /** The format yt-dlp fetched; absent for HTTP downloads. */
  format?: MediaFormat;
}

/** A yt-dlp format as Parker records it: what a channel's upgrade check compares. */
export interface MediaFormat {
  /** yt-dlp's format id: `18`, or `137+140` for a video and an audio format merged. */
  id: string;
  /** In pixels; absent when yt-dlp does not know (audio, a direct file link). */
  height?: number;
}

/** Files Parker writes next to a video on request (`write:` in channels.yaml). */
export const SIDECAR_KINDS = ['info_json', 'thumbnail', 'subtitles', 'nfo'] as const;
export type SidecarKind = (typeof SIDECAR_KINDS)[number];

/** What yt-dlp can embed into the media file (`embed:` in channels.yaml; needs ffmpeg). */
export const EMBED_KINDS = ['metadata', 'thumbnail', 'chapters', 'subtitles'] as const;
export type EmbedKind = (typeof EMBED_KINDS)[number];

/** The audio formats `audio_only` converts to (yt-dlp's `-x --audio-format`). */
export const AUDIO_FORMATS = ['m4a', 'mp3', 'opus'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/**
 * SponsorBlock's segment categories as yt-dlp 2026.10.26 names them (`--sponsorblock-mark`),
 * and `all`/`default`. `poi_highlight` and `chapter` are points and titles, not segments:
 * they can be marked but not removed.
 */
export const SPONSORBLOCK_CATEGORIES = [
  'sponsor',
  'intro',
  'outro',
  'selfpromo',
  'preview',
  'filler',
  'interaction',
  'music_offtopic',
  'hook',
  'poi_highlight',
  'chapter',
  'all',
  'default',
] as const;
export const SPONSORBLOCK_UNREMOVABLE: readonly string[] = ['poi_highlight', 'chapter'];

/** SponsorBlock's segments, as chapters (`mark`) or cut out of the file (`remove`). */
export interface SponsorBlockOptions {
  /** Categories, each optionally prefixed with `-` to exclude it (`[all, -preview]`). */
  mark?: string[];
  remove?: string[];
}

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
  /** SponsorBlock segments to mark as chapters or remove (yt-dlp). */
  sponsorblock?: SponsorBlockOptions;
  /** What yt-dlp embeds into the media file. */
  embed?: EmbedKind[];
  /** Keep the audio only, converted to this format (`-x --audio-format`). */
  audioFormat?: AudioFormat;
  /** More yt-dlp options, checked against an allow-list when the config is read (src/ytdlp/extra-args.ts). */
  extraArgs?: string[];
  /** Refresh the media servers' libraries after the download (set when channels.yaml has `media_server:`). */
  mediaRefresh?: true;
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
