import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { toFailure } from '../../src/activities/failures.ts';
import { HttpStatusError, RateLimitedError } from '../../src/errors.ts';
import { FailureType } from '../../src/shared/failure-types.ts';
import { rateLimitRetryDelayMs } from '../../src/workflows/policies.ts';

// Domain errors as the workflows' retry policies see them. The type name decides whether
// a failure is retried, and a RateLimited one sends a download to the site's cooldown:
// a plain HTTP 429 must be one, and no other status may become one.

function failureOf(error: Error, attempt = 1): ApplicationFailure {
  const failure = toFailure(error, attempt);
  assert.ok(failure instanceof ApplicationFailure);
  return failure;
}

const MEDIA_URL = 'http://cdn.example/episode.mp3';

describe('toFailure', () => {
  test('an HTTP 429 is a RateLimited failure, retryable, with the throttle delay', () => {
    for (const attempt of [1, 2, 5]) {
      const failure = failureOf(new HttpStatusError(MEDIA_URL, 429), attempt);
      assert.equal(failure.type, FailureType.RateLimited);
      assert.equal(failure.nonRetryable, false);
      assert.equal(failure.nextRetryDelay, rateLimitRetryDelayMs(attempt));
      // The workflow stores this message as the cooldown's reason.
      assert.equal(failure.message, `${MEDIA_URL} answered HTTP 429`);
    }
  });

  test("yt-dlp's throttle is the same RateLimited failure", () => {
    const failure = failureOf(new RateLimitedError(MEDIA_URL, 'HTTP Error 429: Too Many Requests'), 2);
    assert.equal(failure.type, FailureType.RateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, rateLimitRetryDelayMs(2));
  });

  for (const status of [408, 500, 502, 503]) {
    test(`an HTTP ${status} keeps the transfer's own backoff`, () => {
      const failure = failureOf(new HttpStatusError(MEDIA_URL, status));
      assert.equal(failure.type, 'HttpStatusError');
      assert.equal(failure.nonRetryable, false);
      assert.equal(failure.nextRetryDelay, undefined);
    });
  }

  for (const [status, type] of [
    [404, FailureType.MediaGone],
    [410, FailureType.MediaGone],
    [403, FailureType.HttpClientError],
    [400, FailureType.HttpClientError],
  ] as const) {
    test(`an HTTP ${status} is ${type}, not retried`, () => {
      const failure = failureOf(new HttpStatusError(MEDIA_URL, status));
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, true);
      assert.equal(failure.nextRetryDelay, undefined);
    });
  }
});
