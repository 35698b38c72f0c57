import type { DownloadedMedia, DownloadProgress } from '../shared/types.ts';

// A downloader fetches one video's media into a part file, resuming what an earlier
// attempt left there. Each method (plain HTTP now, yt-dlp later) is one module behind
// this interface; the activity around it owns heartbeats and the final rename.

export interface DownloadJob {
  url: string;
  /** The part file: written, resumed, and left for finalize to rename. */
  partPath: string;
  /** Aborts the transfer when the activity is cancelled or times out. */
  signal: AbortSignal;
  /** Called as bytes arrive; the activity turns it into (throttled) heartbeats. */
  onProgress(progress: DownloadProgress): void;
}

export interface Downloader {
  readonly name: string;
  download(job: DownloadJob): Promise<DownloadedMedia>;
}
