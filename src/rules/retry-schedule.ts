import { FailureType } from '../shared/failure-types.ts';

// Whether a failed video comes back, and when. A download workflow that gave up records
// its failure with the failure type at its root; a permanent failure stays failed, a
// transient one is tried again by the channel's later crawls once its next-retry time
// has passed, on a growing delay, and given up after the last one. Pure: the caller
// passes the time.

/** `permanent`: no retry can fix it. `transient`: a later crawl tries again. */
export type FailureKind = 'permanent' | 'transient';

/** The failure label of a download cancelled from the Web UI or the CLI (src/workflows/download.ts). */
export const CANCELLED = 'Cancelled';

/**
 * Failures that will answer the same tomorrow: the media is gone or refused for good, or
 * fixing it takes a person (a bad link, a folder Parker may not write, a cancellation).
 * Everything else is transient: 5xx, network errors, timeouts, retries exhausted, a host
 * that never came back, a full download folder, a throttled site, a premiere not out yet.
 */
const PERMANENT: ReadonlySet<string> = new Set([
  FailureType.MediaGone,
  FailureType.NotMedia,
  FailureType.NoMedia,
  FailureType.RefusedUrl,
  FailureType.HttpClientError,
  FailureType.StorageError,
  FailureType.UnknownVideo,
  FailureType.VideoUnavailable,
  FailureType.InvalidRules,
  FailureType.InvalidChannelList,
  CANCELLED,
]);

/** The kind of a failure, from its label (src/shared/failure-label.ts): a type name. */
export function failureKindOf(label: string): FailureKind {
  return PERMANENT.has(label) ? 'permanent' : 'transient';
}

const HOUR = 3_600_000;

/**
 * The waits between a transient failure and the next crawl that may try the video again:
 * 1 h, 6 h, then daily for a week. After the last the video is given up (about 7 days and
 * 7 hours after its first failure). PARKER_RETRY_DELAYS replaces the list.
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1 * HOUR, 6 * HOUR, ...Array.from({ length: 7 }, () => 24 * HOUR)];

export type RetryPlan =
  /** A later crawl may start the video again from `retryAt` on. */
  | { kind: 'transient'; retryAt: Date; attempts: number }
  /** Transient, but the delays are used up: it stays failed. */
  | { kind: 'transient'; givenUp: true; attempts: number }
  | { kind: 'permanent'; attempts: number };

/**
 * What follows a video's failed download.
 * @param attempts the download runs that failed so far, this one included (1 for the first)
 */
export function planRetry(kind: FailureKind, attempts: number, failedAt: Date, delaysMs: readonly number[]): RetryPlan {
  if (kind === 'permanent') return { kind, attempts };
  const delay = delaysMs[attempts - 1];
  if (delay === undefined) return { kind, givenUp: true, attempts };
  return { kind, retryAt: new Date(failedAt.getTime() + delay), attempts };
}

/** The reason stored with a given-up video: the last failure's, and that there will be no more. */
export function givenUpReason(reason: string, attempts: number): string {
  return `given up after ${attempts} failed downloads: ${reason}`;
}
