import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { ActivityFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { toFailure } from '../../src/activities/failures.ts';
import { ChannelFileError } from '../../src/config/channels.ts';
import {
  DownloaderFailedError,
  DownloaderStalledError,
  HttpStatusError,
  IncompleteBodyError,
  InvalidFeedError,
  InvalidRulesError,
  NetworkError,
  NoMediaError,
  NotAFeedError,
  NotMediaError,
  RateLimitedError,
  RefusedUrlError,
  StorageError,
  UnknownVideoError,
  VideoUnavailableError,
  VideoUpcomingError,
  type ParkerError,
} from '../../src/errors.ts';
import { OutsideDownloadDirError } from '../../src/naming/video-paths.ts';
import { failureLabel } from '../../src/shared/failure-label.ts';
import { FailureType, type UpcomingDetails } from '../../src/shared/failure-types.ts';
import { errorFromVerdict, errorFromYtDlpRun } from '../../src/ytdlp/errors.ts';
import { rateLimitRetryDelayMs } from '../../src/shared/retry-delays.ts';

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

// Each domain error names its own failure type and retryability; toFailure carries both,
// with the typed details, so no list elsewhere needs to keep in step.
describe('every domain error becomes the failure it names', () => {
  const cases: Array<[ParkerError, string, boolean]> = [
    [new NotMediaError(MEDIA_URL, 'text/html'), FailureType.NotMedia, false],
    [new NoMediaError('no link'), FailureType.NoMedia, false],
    [new RefusedUrlError('refusing file:///etc/passwd'), FailureType.RefusedUrl, false],
    [new InvalidFeedError(MEDIA_URL, 'not XML'), FailureType.InvalidFeed, false],
    [new NotAFeedError(MEDIA_URL, 'text/html'), FailureType.InvalidFeed, false],
    [new InvalidRulesError('bad regex'), FailureType.InvalidRules, false],
    [StorageError.writing('/downloads/a.mp3', Object.assign(new Error('read-only'), { code: 'EROFS' })), FailureType.StorageError, false],
    // Retryable, but not by the transfer's policy (nonRetryableErrorTypes): the workflow pauses the host.
    [StorageError.writing('/downloads/a.mp3', Object.assign(new Error('no space'), { code: 'ENOSPC' })), FailureType.DiskFull, true],
    [StorageError.writing('/downloads/a.mp3', Object.assign(new Error('quota'), { code: 'EDQUOT' })), FailureType.DiskFull, true],
    [new OutsideDownloadDirError('../x is outside /downloads'), FailureType.StorageError, false],
    [new UnknownVideoError('chan', 'v1'), FailureType.UnknownVideo, false],
    [new VideoUnavailableError(MEDIA_URL, 'private', 'Private video'), FailureType.VideoUnavailable, false],
    [new ChannelFileError('channels.yaml: not valid YAML'), FailureType.InvalidChannelList, false],
    [new NetworkError(MEDIA_URL, { cause: new Error('ECONNRESET') }), FailureType.NetworkError, true],
    [new IncompleteBodyError(MEDIA_URL, 10, 20), FailureType.IncompleteBody, true],
    [new DownloaderStalledError(MEDIA_URL, 20_000), FailureType.DownloaderStalled, true],
    [new DownloaderFailedError('yt-dlp crashed'), FailureType.DownloaderFailed, true],
  ];
  for (const [error, type, retryable] of cases) {
    test(`${error.name} is ${type}, ${retryable ? 'retryable' : 'not retried'}`, () => {
      const failure = failureOf(error);
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, !retryable);
      assert.equal(failure.message, error.message);
      assert.equal(failure.cause, error);
    });
  }

  test('a premiere carries when it starts as typed details', () => {
    const inFiveHours = failureOf(new VideoUpcomingError(MEDIA_URL, 'Premieres in 5 hours', 5 * 3_600_000));
    assert.equal(inFiveHours.type, FailureType.VideoUpcoming);
    assert.equal(inFiveHours.nonRetryable, true);
    assert.deepEqual(inFiveHours.details, [{ startsInMs: 5 * 3_600_000 } satisfies UpcomingDetails]);
    const unknown = failureOf(new VideoUpcomingError(MEDIA_URL, 'This live event will begin soon'));
    assert.deepEqual(unknown.details, [{ startsInMs: null } satisfies UpcomingDetails]);
  });

  test('anything that is not a domain error passes through for the SDK to retry', () => {
    const plain = new Error('something else');
    assert.equal(toFailure(plain), plain);
  });
});

describe('failureLabel', () => {
  test('names the root failure of an activity failure by its type', () => {
    const root = ApplicationFailure.create({ type: FailureType.MediaGone, message: 'gone', nonRetryable: true });
    const wrapped = new ActivityFailure('activity failed', 'downloadMedia', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, root);
    assert.equal(failureLabel(wrapped), FailureType.MediaGone);
    assert.equal(failureLabel(root), FailureType.MediaGone);
  });

  test('a timeout is Timeout, a plain error its name', () => {
    assert.equal(failureLabel(new TimeoutFailure('late', undefined, TimeoutType.SCHEDULE_TO_START)), 'Timeout');
    assert.equal(failureLabel(new TypeError('x')), 'TypeError');
  });
});

describe('errorFromVerdict: one translation of what yt-dlp said, for listings and downloads', () => {
  const url = 'https://www.youtube.com/watch?v=abc';
  const permanent = { kind: 'permanent', reason: 'private', message: 'ERROR: Private video' } as const;
  const upcoming = { kind: 'upcoming', message: 'Premieres in 2 hours', startsInMs: 7_200_000 } as const;

  test('a download: each verdict becomes its domain error', () => {
    const unavailable = errorFromVerdict('download', url, permanent, 1);
    assert.ok(unavailable instanceof VideoUnavailableError);
    assert.equal(unavailable.reason, 'private');
    assert.ok(errorFromVerdict('download', url, { kind: 'rate-limited', message: 'HTTP Error 429' }, 1) instanceof RateLimitedError);
    const premiere = errorFromVerdict('download', url, upcoming, 1);
    assert.ok(premiere instanceof VideoUpcomingError);
    assert.equal(premiere.startsInMs, 7_200_000);
    const transient = errorFromVerdict('download', url, { kind: 'transient', message: 'ERROR: timed out' }, null);
    assert.ok(transient instanceof DownloaderFailedError);
    assert.match(transient.message, /yt-dlp exited with a signal: ERROR: timed out/);
  });

  test('a listing: a refusal is a channel yt-dlp cannot list, a premiere an ordinary retry', () => {
    const refused = errorFromVerdict('listing', url, permanent, 1);
    assert.ok(refused instanceof InvalidFeedError);
    assert.match(refused.message, /yt-dlp cannot list it: ERROR: Private video/);
    assert.ok(errorFromVerdict('listing', url, { kind: 'rate-limited', message: 'HTTP Error 429' }, 1) instanceof RateLimitedError);
    assert.ok(errorFromVerdict('listing', url, upcoming, 1) instanceof DownloaderFailedError);
  });

  test('members-only and age-restricted say that cookies are needed, and where they go', () => {
    for (const [reason, message] of [
      ['members-only', "ERROR: [youtube] abc: This video is available to this channel's members on level: Tier 1"],
      ['age-restricted', 'ERROR: [youtube] abc: Sign in to confirm your age. Use --cookies-from-browser or --cookies for the authentication.'],
    ] as const) {
      const error = errorFromVerdict('download', url, { kind: 'permanent', reason, message }, 1);
      assert.ok(error instanceof VideoUnavailableError);
      assert.equal(error.retryable, false);
      assert.match(error.message, new RegExp(`^${reason}: needs the cookies of .*cookies: in channels\\.yaml.*: ERROR: \\[youtube\\]`));
    }
    assert.doesNotMatch(errorFromVerdict('download', url, permanent, 1).message, /cookies/);
  });

  test("the proxy's refusal is a RefusedUrl failure, not retried, for downloads and listings", () => {
    for (const task of ['download', 'listing'] as const) {
      const error = errorFromVerdict(task, url, { kind: 'refused', message: 'ERROR: HTTP Error 403: Parker refused 10.0.0.1:80: 10.0.0.1 is a private address' }, 1);
      assert.ok(error instanceof RefusedUrlError, task);
      assert.equal(error.retryable, false);
      assert.match(error.message, /refused a connection by the address policy: .*10\.0\.0\.1 is a private address/);
    }
  });

  test("reads a run's stderr", () => {
    const error = errorFromYtDlpRun('download', url, { stderr: 'WARNING: x\nERROR: [youtube] abc: Video unavailable. This video has been removed', code: 1 });
    assert.ok(error instanceof VideoUnavailableError);
    assert.equal(error.reason, 'removed');
  });
});
