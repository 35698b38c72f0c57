import { ApplicationFailure } from '@temporalio/activity';
import {
  HttpStatusError,
  InvalidFeedError,
  InvalidRulesError,
  NoMediaError,
  NotMediaError,
  ParkerError,
  RateLimitedError,
  RefusedUrlError,
  StorageError,
  VideoUnavailableError,
  VideoUpcomingError,
} from '../errors.ts';
import { FailureType } from '../shared/failure-types.ts';
import { rateLimitRetryDelayMs } from '../workflows/policies.ts';

// Activities call this on the way out: a domain error becomes an ApplicationFailure whose
// type the workflows' retry policies know, and which keeps the original as its cause.

/**
 * The site is throttling Parker: yt-dlp said so, or a plain HTTP 429 Too Many Requests
 * (from the HTTP downloader or a feed). Both are handled alike: a long wait, and for
 * downloads the site's cooldown.
 */
function isRateLimited(error: ParkerError): boolean {
  return error instanceof RateLimitedError || (error instanceof HttpStatusError && error.status === 429);
}

function failureTypeOf(error: ParkerError): string {
  if (isRateLimited(error)) return FailureType.RateLimited;
  if (error instanceof HttpStatusError) {
    if (error.gone) return FailureType.MediaGone;
    return error.retryable ? error.name : FailureType.HttpClientError;
  }
  if (error instanceof NotMediaError) return FailureType.NotMedia;
  if (error instanceof NoMediaError) return FailureType.NoMedia;
  if (error instanceof InvalidFeedError) return FailureType.InvalidFeed;
  if (error instanceof InvalidRulesError) return FailureType.InvalidRules;
  if (error instanceof StorageError) return FailureType.StorageError;
  if (error instanceof RefusedUrlError) return FailureType.RefusedUrl;
  if (error instanceof VideoUnavailableError) return FailureType.VideoUnavailable;
  if (error instanceof VideoUpcomingError) return FailureType.VideoUpcoming;
  return error.name;
}

/**
 * @param attempt the activity's attempt number (1 for the first), which sets how long a
 *   rate-limited download waits before the next one.
 */
export function toFailure(error: unknown, attempt = 1): unknown {
  if (!(error instanceof ParkerError)) return error;
  return ApplicationFailure.create({
    type: failureTypeOf(error),
    message: error.message,
    nonRetryable: !error.retryable,
    cause: error,
    // The workflow reads how long to wait for a premiere from here.
    details: error instanceof VideoUpcomingError ? [{ startsInMs: error.startsInMs ?? null }] : undefined,
    // A throttled site is not helped by the transfer policy's seconds of backoff.
    nextRetryDelay: isRateLimited(error) ? rateLimitRetryDelayMs(attempt) : undefined,
  });
}

/** Runs an activity body, translating domain errors into typed failures. */
export async function translatingErrors<T>(body: () => Promise<T>, attempt = 1): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toFailure(error, attempt);
  }
}
