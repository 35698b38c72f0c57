import {
  DownloaderFailedError,
  InvalidFeedError,
  RateLimitedError,
  RefusedUrlError,
  VideoUnavailableError,
  VideoUpcomingError,
  type ParkerError,
} from '../errors.ts';
import { classifyYtDlpError, type PermanentReason, type YtDlpVerdict } from './classify.ts';

// What a failed yt-dlp run becomes, for the listing source and the downloader alike: the
// verdict read from its messages, turned into the domain error that says whether and when
// to try again.

/**
 * What yt-dlp was asked to do. A refusal means something else for each: a video that will
 * never download, or a channel URL yt-dlp cannot list (counted as an InvalidFeed crawl
 * error). Only a download waits for a premiere; a listing that meets one is retried.
 */
export type YtDlpTask = 'listing' | 'download';

/**
 * What a person can do about a refusal that an account may get past. yt-dlp's own hint
 * (`--cookies-from-browser`) names an option Parker does not pass on; this names the field.
 */
const NEEDS_COOKIES: Partial<Record<PermanentReason, string>> = {
  'members-only': "needs the cookies of an account that is a member of the channel (cookies: in channels.yaml; if set, they do not grant access)",
  'age-restricted': 'needs the cookies of a signed-in, age-verified account (cookies: in channels.yaml; if set, they do not grant access)',
};

/** The domain error for a yt-dlp verdict about `url`; `exitCode` null means a signal ended it. */
export function errorFromVerdict(task: YtDlpTask, url: string, verdict: YtDlpVerdict, exitCode: number | null): ParkerError {
  switch (verdict.kind) {
    case 'refused':
      return new RefusedUrlError(`${url}: yt-dlp was refused a connection by the address policy: ${verdict.message}`);
    case 'permanent':
      return task === 'download'
        ? new VideoUnavailableError(url, verdict.reason, [NEEDS_COOKIES[verdict.reason], verdict.message].filter(Boolean).join(': '))
        : new InvalidFeedError(url, `yt-dlp cannot list it: ${verdict.message}`);
    case 'rate-limited':
      return new RateLimitedError(url, verdict.message);
    case 'upcoming':
      if (task === 'download') return new VideoUpcomingError(url, verdict.message, verdict.startsInMs);
      break;
    case 'transient':
      break;
  }
  return new DownloaderFailedError(`${url}: yt-dlp exited with ${exitCode ?? 'a signal'}: ${verdict.message}`);
}

/** The domain error for a yt-dlp run on `url` that exited non-zero with this stderr. */
export function errorFromYtDlpRun(task: YtDlpTask, url: string, run: { stderr: string; code: number | null }): ParkerError {
  return errorFromVerdict(task, url, classifyYtDlpError(run.stderr), run.code);
}
