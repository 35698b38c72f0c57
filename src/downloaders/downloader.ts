import type { DownloadedMedia, DownloadOptions, DownloadProgress } from '../shared/download.ts';

// A downloader fetches one video's media into a part file, resuming what an earlier
// attempt left there. Each method (plain HTTP, yt-dlp) is one module behind this
// interface; the activity around it owns heartbeats and the final rename.

export interface DownloadJob {
  url: string;
  /** The part file: written, resumed, and left for finalize to rename. */
  partPath: string;
  /** Aborts the transfer when the activity is cancelled or times out. */
  signal: AbortSignal;
  /** Called as bytes arrive; the activity turns it into (throttled) heartbeats. */
  onProgress(progress: DownloadProgress): void;
  /** The channel's settings for this downloader; a downloader ignores what it has no use for. */
  options?: DownloadOptions;
}

export interface Downloader {
  /** The method's name, stored with each video (`http`, `ytdlp`). */
  readonly name: string;
  /**
   * Fetches the media. The complete file is at `job.partPath`, or at the returned
   * `filePath` (inside the part's work directory) with the returned `ext`.
   */
  download(job: DownloadJob): Promise<DownloadedMedia>;
}

/** The downloader a video names; throws when the worker has none by that name. */
export function downloaderNamed(downloaders: readonly Downloader[], name: string): Downloader {
  const downloader = downloaders.find((candidate) => candidate.name === name);
  if (!downloader) throw new Error(`no downloader named ${name}`);
  return downloader;
}
