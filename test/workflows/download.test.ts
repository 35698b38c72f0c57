import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DownloadMediaInput } from '../../src/activities/transfer.ts';
import { DiskFullError, HttpStatusError, MissedTurnError, RateLimitedError, StorageError, VideoUpcomingError } from '../../src/errors.ts';
import { MAX_MISSED_TURNS } from '../../src/rules/transfer-turn.ts';
import { failureKindOf } from '../../src/rules/retry-schedule.ts';
import type { DownloadedMedia } from '../../src/shared/download.ts';
import { MAX_HOST_CLAIMS } from '../../src/workflows/download.ts';
import {
  DISK_FULL_MAX_WAITS,
  ON_HOST,
  SITE_COOLDOWN_MAX_WAITS,
  UPCOMING_GRACE_MS,
  UPCOMING_MAX_WAITS,
  UPCOMING_RECHECK_MS,
} from '../../src/workflows/policies.ts';
import { DISK_FULL_PAUSE_MS, downloadRunner, hostFakes, MEDIA, type Calls, type TransferFakes, SITE_COOLDOWN_MS, SUMMARY, TARGET } from '../helpers/download-fakes.ts';
import { hostOn, quickHostTimeoutBundle, timeSkippingEnvironment } from '../helpers/time-skipping.ts';

// The download workflow's limits, driven past with time under control: premieres that
// are waited for (and given up), a site that throttles for more than a day, hosts that
// go away. The activities are fakes that answer as the real ones would, with the
// failures toFailure makes of the real domain errors.

const runDownload = downloadRunner(await timeSkippingEnvironment());

/** The failure a download ended with: a DownloadFailed application failure. */
function downloadFailure(error: unknown): ApplicationFailure {
  assert.ok(error instanceof WorkflowFailedError, `the workflow failed: ${String(error)}`);
  assert.ok(error.cause instanceof ApplicationFailure);
  assert.equal(error.cause.type, 'DownloadFailed');
  return error.cause;
}

const upcoming = (startsInMs?: number) => new VideoUpcomingError(TARGET.mediaUrl, 'Premieres soon', startsInMs);

describe('download workflow: premieres', () => {
  test(`a premiere that is never released fails after exactly UPCOMING_MAX_WAITS (${UPCOMING_MAX_WAITS}) waits`, async () => {
    const { error, calls, timers, statuses } = await runDownload({
      transfer: async () => {
        throw upcoming();
      },
    });
    const failure = downloadFailure(error);
    assert.match(failure.message, /not released yet: Premieres soon/);
    assert.equal(statuses.at(-1), 'failed');
    assert.equal(calls.transfers, UPCOMING_MAX_WAITS + 1, 'tried once, then once after each wait');
    assert.deepEqual(timers, Array(UPCOMING_MAX_WAITS).fill(UPCOMING_RECHECK_MS));
    assert.deepEqual(calls.failed, ['not released yet: Premieres soon'], 'the row is marked failed with the reason');
    assert.deepEqual(calls.discarded, ['a'], 'the part is removed from its host');
    assert.deepEqual(calls.finalized, []);
  });

  test('a premiere that gives no start time is tried again every UPCOMING_RECHECK_MS', async () => {
    const { summary, calls, timers } = await runDownload({
      transfer: async (attempt) => {
        if (attempt <= 2) throw upcoming();
        return MEDIA;
      },
    });
    assert.deepEqual(summary, SUMMARY);
    assert.deepEqual(timers, [UPCOMING_RECHECK_MS, UPCOMING_RECHECK_MS]);
    assert.equal(calls.transfers, 3);
    assert.deepEqual(calls.finalized, ['a']);
    assert.deepEqual(calls.failed, []);
  });

  test('a premiere that says when it starts is tried again at that time plus UPCOMING_GRACE_MS', async () => {
    const startsInMs = 5 * 3_600_000;
    const { summary, calls, timers, statuses } = await runDownload({
      transfer: async (attempt) => {
        if (attempt === 1) throw upcoming(startsInMs);
        return MEDIA;
      },
    });
    assert.deepEqual(summary, SUMMARY);
    assert.deepEqual(timers, [startsInMs + UPCOMING_GRACE_MS]);
    assert.equal(calls.transfers, 2);
    assert.deepEqual(statuses, ['downloading', 'waiting-premiere', 'downloading', 'downloaded'], 'ParkerStatus follows the wait');
  });
});

describe('download workflow: a throttling site', () => {
  test(`a site that throttles for more than a day is given up after SITE_COOLDOWN_MAX_WAITS (${SITE_COOLDOWN_MAX_WAITS}) cooldowns`, async () => {
    const { error, calls, timers } = await runDownload({
      transfer: async () => {
        throw new HttpStatusError(TARGET.mediaUrl, 429);
      },
    });
    const failure = downloadFailure(error);
    assert.match(failure.message, /answered HTTP 429/);
    // Each throttled attempt starts the site's cooldown (in the site's own words), and the
    // next attempt waits it out on a durable timer; the last throttle ends the download.
    assert.equal(calls.cooldownsStarted.length, SITE_COOLDOWN_MAX_WAITS);
    assert.ok(calls.cooldownsStarted.every((reason) => reason === `${TARGET.mediaUrl} answered HTTP 429`));
    assert.deepEqual(timers, Array(SITE_COOLDOWN_MAX_WAITS).fill(SITE_COOLDOWN_MS));
    assert.ok(SITE_COOLDOWN_MAX_WAITS * SITE_COOLDOWN_MS >= 24 * 3_600_000, 'the waits add up to a day');
    assert.equal(calls.transfers, SITE_COOLDOWN_MAX_WAITS + 1);
    assert.equal(calls.failed.length, 1);
    assert.match(calls.failed[0]!, /answered HTTP 429/);
  });

  test('a site that lets the transfer through after a cooldown: the download finishes', async () => {
    const { summary, calls, timers, statuses } = await runDownload({
      transfer: async (attempt) => {
        if (attempt === 1) throw new HttpStatusError(TARGET.mediaUrl, 429);
        return MEDIA;
      },
    });
    assert.deepEqual(summary, SUMMARY);
    assert.deepEqual(timers, [SITE_COOLDOWN_MS]);
    assert.equal(calls.cooldownsStarted.length, 1);
    assert.deepEqual(statuses, ['downloading', 'waiting-cooldown', 'downloading', 'downloaded'], 'ParkerStatus follows the cooldown');
  });
});

describe('download workflow: hosts that go away', () => {
  // A gone host is a host queue no worker polls: the server times the transfer out. The
  // test server stops its clock while a task waits in a queue, so these tests run the
  // workflows with ON_HOST's minute shortened to QUICK_HOST_TIMEOUT_MS, in real time.
  const workflowBundle = quickHostTimeoutBundle();

  // Real time: a workflow that claims hosts past the limit would go on until this.
  const timeout = 120_000;

  test(`every host gone, MAX_HOST_CLAIMS (${MAX_HOST_CLAIMS}) times: the download ends failed with a reason`, { timeout }, async () => {
    const { error, calls } = await runDownload({
      claim: (claim, taskQueue) => hostOn(taskQueue, `gone-${claim}`),
      hosts: () => ({}),
      workflowBundle: await workflowBundle,
    });
    const failure = downloadFailure(error);
    assert.equal(calls.claims, MAX_HOST_CLAIMS, 'a new host claimed each time, up to the limit');
    assert.equal(calls.transfers, 0);
    assert.equal(calls.failed.length, 1, 'the row is marked failed');
    assert.equal(
      calls.failed[0],
      `no host took the transfer: ${MAX_HOST_CLAIMS} claimed in turn, none picked it up within ${String(ON_HOST.scheduleToStartTimeout)}`,
    );
    assert.ok(failure.message.endsWith(calls.failed[0]!), failure.message);
  });

  test('a host that comes back on the last claim allowed: the download finishes there', { timeout }, async () => {
    const { summary, calls } = await runDownload({
      claim: (claim, taskQueue) => hostOn(taskQueue, claim < MAX_HOST_CLAIMS ? `gone-${claim}` : 'back'),
      hosts: (calls) => ({ back: hostFakes(calls, 'back', async () => MEDIA) }),
      workflowBundle: await workflowBundle,
    });
    assert.deepEqual(summary, SUMMARY);
    assert.equal(calls.claims, MAX_HOST_CLAIMS);
    assert.equal(calls.transfers, 1, 'one transfer, on the host that came back');
    assert.deepEqual(calls.finalized, ['back']);
    assert.deepEqual(calls.failed, []);
  });
});

describe('download workflow: a full download folder', () => {
  const full = () => new DiskFullError(`cannot write /downloads/${TARGET.relativeStem}.mp4.part: ENOSPC`);

  test('the transfer pauses its host and resumes once space is back: the download finishes', async () => {
    const { summary, calls, timers } = await runDownload({
      transfer: async (attempt) => {
        if (attempt <= 2) throw full();
        return MEDIA;
      },
    });
    assert.deepEqual(summary, SUMMARY);
    assert.deepEqual(timers, [DISK_FULL_PAUSE_MS, DISK_FULL_PAUSE_MS], 'each full disk is waited out on a durable timer');
    assert.equal(calls.diskPauses.length, 2);
    assert.match(calls.diskPauses[0]!, /^a: cannot write .*ENOSPC$/);
    assert.deepEqual(calls.failed, []);
  });

  test(`a disk full for more than a day fails as DiskFull after DISK_FULL_MAX_WAITS (${DISK_FULL_MAX_WAITS}) pauses, for a later crawl to retry`, async () => {
    const { error, calls, timers } = await runDownload({
      transfer: async () => {
        throw full();
      },
    });
    downloadFailure(error);
    assert.equal(calls.diskPauses.length, DISK_FULL_MAX_WAITS);
    assert.deepEqual(timers, Array(DISK_FULL_MAX_WAITS).fill(DISK_FULL_PAUSE_MS));
    assert.ok(DISK_FULL_MAX_WAITS * DISK_FULL_PAUSE_MS >= 24 * 3_600_000, 'the pauses add up to a day');
    assert.equal(calls.transfers, DISK_FULL_MAX_WAITS + 1);
    assert.deepEqual(calls.failureLabels, ['DiskFull']);
  });

  test('a folder Parker may not write fails at once, labelled for no retry', async () => {
    const { error, calls, timers } = await runDownload({
      transfer: async () => {
        throw new StorageError('cannot write /downloads/timeskip: EROFS');
      },
    });
    downloadFailure(error);
    assert.deepEqual(timers, []);
    assert.equal(calls.transfers, 1);
    assert.deepEqual(calls.failureLabels, ['StorageError']);
  });
});

describe("download workflow: a rate-limited site's turns", () => {
  /** A host `a` whose transfers record the start they were given, and end as `transfer` says. */
  function turnRecordingHost(calls: Calls, starts: (number | undefined)[], transfer: (attempt: number) => Promise<DownloadedMedia>) {
    const host = hostFakes(calls, 'a', transfer);
    return {
      ...host,
      async downloadMedia(input: DownloadMediaInput) {
        starts.push(input.startAt);
        return host.downloadMedia();
      },
    } satisfies TransferFakes;
  }
  const claimWithTurn = (claim: number, taskQueue: string) => ({ ...hostOn(taskQueue, 'a'), startAt: 1_000 * claim });

  test('a transfer that missed its turn claims a new one and starts at that', async () => {
    const starts: (number | undefined)[] = [];
    const { summary, calls } = await runDownload({
      claim: claimWithTurn,
      hosts: (calls) => ({
        a: turnRecordingHost(calls, starts, async (attempt) => {
          if (attempt <= 2) throw new MissedTurnError(150);
          return MEDIA;
        }),
      }),
    });
    assert.deepEqual(summary, SUMMARY);
    assert.equal(calls.claims, 3);
    assert.deepEqual(starts, [1_000, 2_000, 3_000], 'each transfer was given its own claim’s start');
    assert.deepEqual(calls.failed, []);
  });

  test(`MAX_MISSED_TURNS (${MAX_MISSED_TURNS}) missed turns: the download fails as MissedTurn, for a later crawl to retry`, async () => {
    const { error, calls } = await runDownload({
      claim: claimWithTurn,
      transfer: async () => {
        throw new MissedTurnError(4_000);
      },
    });
    const failure = downloadFailure(error);
    assert.equal(calls.claims, MAX_MISSED_TURNS);
    assert.deepEqual(calls.failureLabels, ['MissedTurn']);
    assert.equal(failureKindOf('MissedTurn'), 'transient');
    assert.match(failure.message, new RegExp(`missed its turn ${MAX_MISSED_TURNS} times \\(the transfer reached its host 4000 ms after`));
  });

  test('a transfer tried again after a site cooldown resumes on its host without a turn', async () => {
    const starts: (number | undefined)[] = [];
    const { summary, calls } = await runDownload({
      claim: claimWithTurn,
      hosts: (calls) => ({
        a: turnRecordingHost(calls, starts, async (attempt) => {
          if (attempt === 1) throw new RateLimitedError(TARGET.mediaUrl, 'HTTP 429');
          return MEDIA;
        }),
      }),
    });
    assert.deepEqual(summary, SUMMARY);
    assert.equal(calls.claims, 1);
    assert.deepEqual(starts, [1_000, undefined]);
  });
});
