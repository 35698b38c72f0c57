import { ApplicationFailure } from '@temporalio/activity';
import { ParkerError } from '../errors.ts';
import { FailureType } from '../shared/failure-types.ts';
import { rateLimitRetryDelayMs } from '../shared/retry-delays.ts';

// Activities call this on the way out: a domain error becomes an ApplicationFailure of the
// type it names, retryable as it says, with its typed details, keeping the original as
// its cause. Anything else passes through (the SDK makes a retryable failure of it).

/**
 * @param attempt the activity's attempt number (1 for the first), which sets how long a
 *   rate-limited listing waits before the next one.
 */
export function toFailure(error: unknown, attempt = 1): unknown {
  if (!(error instanceof ParkerError)) return error;
  return ApplicationFailure.create({
    type: error.failureType,
    message: error.message,
    nonRetryable: !error.retryable,
    cause: error,
    details: error.details,
    // A throttled site is not helped by the policy's seconds of backoff.
    nextRetryDelay: error.failureType === FailureType.RateLimited ? rateLimitRetryDelayMs(attempt) : undefined,
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
