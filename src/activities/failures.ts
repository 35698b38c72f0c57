import { ApplicationFailure } from '@temporalio/activity';
import {
  HttpStatusError,
  InvalidFeedError,
  NoMediaError,
  NotMediaError,
  ParkerError,
  RefusedUrlError,
  StorageError,
} from '../errors.ts';
import { FailureType } from '../shared/failure-types.ts';

// Activities call this on the way out: a domain error becomes an ApplicationFailure whose
// type the workflows' retry policies know, and which keeps the original as its cause.

function failureTypeOf(error: ParkerError): string {
  if (error instanceof HttpStatusError) {
    if (error.gone) return FailureType.MediaGone;
    return error.retryable ? error.name : FailureType.HttpClientError;
  }
  if (error instanceof NotMediaError) return FailureType.NotMedia;
  if (error instanceof NoMediaError) return FailureType.NoMedia;
  if (error instanceof InvalidFeedError) return FailureType.InvalidFeed;
  if (error instanceof StorageError) return FailureType.StorageError;
  if (error instanceof RefusedUrlError) return FailureType.RefusedUrl;
  return error.name;
}

export function toFailure(error: unknown): unknown {
  if (!(error instanceof ParkerError)) return error;
  return ApplicationFailure.create({
    type: failureTypeOf(error),
    message: error.message,
    nonRetryable: !error.retryable,
    cause: error,
  });
}

/** Runs an activity body, translating domain errors into typed failures. */
export async function translatingErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toFailure(error);
  }
}
