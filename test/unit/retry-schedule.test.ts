import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CANCELLED, DEFAULT_RETRY_DELAYS_MS, failureKindOf, givenUpReason, planRetry } from '../../src/rules/retry-schedule.ts';
import { FailureType } from '../../src/shared/failure-types.ts';

const HOUR = 3_600_000;
const FAILED_AT = new Date('2026-03-01T12:00:00Z');

describe('failureKindOf', () => {
  test('gone, refused, not media, a folder Parker may not write and a cancellation are permanent', () => {
    for (const label of [
      FailureType.MediaGone,
      FailureType.NotMedia,
      FailureType.NoMedia,
      FailureType.RefusedUrl,
      FailureType.HttpClientError,
      FailureType.StorageError,
      FailureType.VideoUnavailable,
      FailureType.UnknownVideo,
      CANCELLED,
    ]) {
      assert.equal(failureKindOf(label), 'permanent', label);
    }
  });
  test('5xx, network, stalls, timeouts, a full disk, throttling and anything unknown are transient', () => {
    for (const label of [
      FailureType.HttpServerError,
      FailureType.NetworkError,
      FailureType.IncompleteBody,
      FailureType.DownloaderStalled,
      FailureType.DownloaderFailed,
      FailureType.DiskFull,
      FailureType.RateLimited,
      FailureType.VideoUpcoming,
      'Timeout',
      'Error',
    ]) {
      assert.equal(failureKindOf(label), 'transient', label);
    }
  });
});

describe('planRetry', () => {
  test('the default delays grow: 1h, 6h, then a day, for a week', () => {
    const retryAt = (attempts: number) => {
      const plan = planRetry('transient', attempts, FAILED_AT, DEFAULT_RETRY_DELAYS_MS);
      assert.ok('retryAt' in plan, `attempt ${attempts} is retried`);
      return (plan.retryAt.getTime() - FAILED_AT.getTime()) / HOUR;
    };
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(retryAt), [1, 6, 24, 24, 24, 24, 24, 24, 24]);
  });
  test('after the last delay the video is given up, with its attempts counted', () => {
    assert.deepEqual(planRetry('transient', 10, FAILED_AT, DEFAULT_RETRY_DELAYS_MS), { kind: 'transient', givenUp: true, attempts: 10 });
    assert.deepEqual(planRetry('transient', 3, FAILED_AT, [1000, 2000]), { kind: 'transient', givenUp: true, attempts: 3 });
  });
  test('a permanent failure is never retried', () => {
    assert.deepEqual(planRetry('permanent', 1, FAILED_AT, DEFAULT_RETRY_DELAYS_MS), { kind: 'permanent', attempts: 1 });
  });
  test('the given-up reason keeps the last failure', () => {
    assert.equal(givenUpReason('x answered HTTP 503 (retries exhausted)', 10), 'given up after 10 failed downloads: x answered HTTP 503 (retries exhausted)');
  });
});
