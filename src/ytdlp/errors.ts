import { DownloaderFailedError, RateLimitedError, VideoUnavailableError, VideoUpcomingError, type ParkerError } from '../errors.ts';
import { classifyYtDlpError, type YtDlpVerdict } from './classify.ts';

// What a failed yt-dlp run becomes, for the listing source and the downloader alike: the
// verdict read from its messages, turned into the domain error that says whether and when
// to try again.

/** The domain error for a yt-dlp verdict about `url`; `exitCode` null means a signal ended it. */
export function errorFromVerdict(url: string, verdict: YtDlpVerdict, exitCode: number | null): ParkerError {
  switch (verdict.kind) {
    case 'permanent':
      return new VideoUnavailableError(url, verdict.reason, verdict.message);
    case 'rate-limited':
      return new RateLimitedError(url, verdict.message);
    case 'upcoming':
      return new VideoUpcomingError(url, verdict.message, verdict.startsInMs);
    case 'transient':
      return new DownloaderFailedError(`${url}: yt-dlp exited with ${exitCode ?? 'a signal'}: ${verdict.message}`);
  }
}

/** The domain error for a yt-dlp run on `url` that exited non-zero with this stderr. */
export function errorFromYtDlpRun(url: string, run: { stderr: string; code: number | null }): ParkerError {
  return errorFromVerdict(url, classifyYtDlpError(run.stderr), run.code);
}
