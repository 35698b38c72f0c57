import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { toFailure } from '../../src/activities/failures.ts';
import { RateLimitedError, StorageError, VideoUnavailableError } from '../../src/errors.ts';
import { isBetterFormat, upgradeWindow } from '../../src/rules/upgrade.ts';
import type { MediaFormat } from '../../src/shared/download.ts';
import type { MaintenanceInput, MaintenanceReport } from '../../src/shared/maintenance.ts';
import { MAINTENANCE_WORKFLOW } from '../../src/shared/names.ts';
import type { UpgradeCheck, UpgradeMedia, UpgradeTarget } from '../../src/shared/upgrade.ts';
import type { FakeWorkers } from '../helpers/time-skipping.ts';
import { hostOn, timeSkippingEnvironment, uniqueTaskQueue } from '../helpers/time-skipping.ts';

// The maintenance's upgrade step with time under control: the order of a check, the
// claim of a host, the download beside the file and the swap; a failed download that
// leaves the file alone and the other videos still checked; and each video asked about
// at most once a day, only while it is within its channel's `within`. The activities
// are fakes; the once-a-day window is the real rule (src/rules/upgrade.ts), on the test
// server's clock.

const { env, client, withWorkers } = await timeSkippingEnvironment();

const DAY_MS = 86_400_000;
const P360: MediaFormat = { id: '18', height: 360 };
const P720: MediaFormat = { id: '22', height: 720 };

function targetFor(externalId: string, to: MediaFormat): UpgradeTarget {
  return { mediaUrl: `https://www.youtube.com/watch?v=${externalId}`, relativeStem: `chan/${externalId}`, currentExt: 'mp4', currentSha256: `old-${externalId}`, from: P360, to };
}

function mediaFor(target: UpgradeTarget): UpgradeMedia {
  return { bytes: 2000, sha256: `new-${target.relativeStem}`, ext: 'mp4', filePath: `/downloads/${target.relativeStem}.upgrade.part.d/media.mp4`, format: target.to };
}

/** Fakes for one channel whose candidates and offered formats the test decides; every call lands in `calls`. */
function fakes(
  taskQueue: string,
  calls: string[],
  scenario: {
    candidates: () => Promise<string[]>;
    offered: (externalId: string) => MediaFormat;
    download?: (externalId: string) => Promise<void>;
  },
): FakeWorkers {
  return {
    taskQueue,
    main: {
      async loadUpgradePlan() {
        return [{ channel: 'chan', withinMs: 7 * DAY_MS }];
      },
      async listUpgradeCandidates() {
        calls.push('list');
        return (await scenario.candidates()).map((externalId) => ({ externalId, format: P360 }));
      },
      async checkVideoUpgrade({ externalId }): Promise<UpgradeCheck> {
        calls.push(`check ${externalId}`);
        const offered = scenario.offered(externalId);
        if (!isBetterFormat(P360, offered)) return { better: false, offered };
        return { better: true, target: targetFor(externalId, offered), claimTaskQueue: `${taskQueue}-downloads` };
      },
    },
    claims: {
      async claimDownloadHost() {
        calls.push('claim');
        return hostOn(taskQueue, 'a');
      },
    },
    hosts: {
      a: {
        async downloadUpgrade({ target, videoId }) {
          calls.push(`download ${videoId} ${target.to.id}`);
          try {
            await scenario.download?.(videoId);
          } catch (error) {
            throw toFailure(error, Context.current().info.attempt);
          }
          return mediaFor(target);
        },
        async swapUpgrade({ video, media, target }) {
          calls.push(`swap ${video.externalId} ${media.sha256}`);
          return { externalId: video.externalId, from: target.from, to: media.format! };
        },
        async discardUpgrade({ target }) {
          calls.push(`discard ${target.relativeStem}`);
        },
      },
    },
  };
}

async function maintain(taskQueue: string, input: MaintenanceInput = { steps: ['upgrade'] }): Promise<MaintenanceReport> {
  return client.workflow.execute<(input: MaintenanceInput) => Promise<MaintenanceReport>>(MAINTENANCE_WORKFLOW, {
    taskQueue,
    workflowId: uniqueTaskQueue('upgrade-run'),
    args: [input],
    workflowExecutionTimeout: '1h',
  });
}

describe('maintenance: upgrade step', () => {
  test('a better format: checked, a host claimed, downloaded beside the file, then swapped; a video with none is only checked', async () => {
    const taskQueue = uniqueTaskQueue('upgrade');
    const calls: string[] = [];
    const report = await withWorkers(
      fakes(taskQueue, calls, { candidates: async () => ['v1', 'v2'], offered: (id) => (id === 'v1' ? P720 : P360) }),
      () => maintain(taskQueue),
    );
    assert.deepEqual(calls, ['list', 'check v1', 'claim', 'download v1 22', 'swap v1 new-chan/v1', 'check v2']);
    assert.deepEqual(report.upgraded, [{ channel: 'chan', checked: 2, upgraded: [{ externalId: 'v1', from: P360, to: P720 }], failed: [] }]);
    assert.deepEqual([report.channels, report.verified], [[], []], 'steps: [upgrade] runs no retention and no verify');
  });

  test('a dry run checks and reports, and downloads nothing', async () => {
    const taskQueue = uniqueTaskQueue('upgrade-dry');
    const calls: string[] = [];
    const report = await withWorkers(fakes(taskQueue, calls, { candidates: async () => ['v1'], offered: () => P720 }), () =>
      maintain(taskQueue, { steps: ['upgrade'], dryRun: true }),
    );
    assert.deepEqual(calls, ['list', 'check v1']);
    assert.deepEqual(report.upgraded[0]!.upgraded, [{ externalId: 'v1', from: P360, to: P720 }]);
  });

  test('a download that fails removes its work folder, never swaps, and the next video is still upgraded', async () => {
    const taskQueue = uniqueTaskQueue('upgrade-fail');
    const calls: string[] = [];
    const report = await withWorkers(
      fakes(taskQueue, calls, {
        candidates: async () => ['v1', 'v2'],
        offered: () => P720,
        download: async (id) => {
          if (id === 'v1') throw new StorageError('cannot write /downloads/chan/v1.upgrade.part.d: EACCES');
        },
      }),
      () => maintain(taskQueue),
    );
    assert.deepEqual(calls, ['list', 'check v1', 'claim', 'download v1 22', 'discard chan/v1', 'check v2', 'claim', 'download v2 22', 'swap v2 new-chan/v2']);
    assert.deepEqual(report.upgraded[0]!.failed, [{ externalId: 'v1', reason: 'cannot write /downloads/chan/v1.upgrade.part.d: EACCES' }]);
    assert.deepEqual(report.upgraded[0]!.upgraded.map((video) => video.externalId), ['v2']);
  });

  test('a check the site refuses is reported; the step goes on', async () => {
    const taskQueue = uniqueTaskQueue('upgrade-refused');
    const calls: string[] = [];
    const workers = fakes(taskQueue, calls, { candidates: async () => ['gone', 'v2'], offered: () => P360 });
    const check = workers.main.checkVideoUpgrade!;
    workers.main.checkVideoUpgrade = async (input) => {
      if (input.externalId === 'gone') {
        calls.push('check gone');
        throw toFailure(new VideoUnavailableError(`https://www.youtube.com/watch?v=gone`, 'removed', 'Video unavailable'));
      }
      return check(input);
    };
    const report = await withWorkers(workers, () => maintain(taskQueue));
    assert.deepEqual(calls, ['list', 'check gone', 'check v2'], 'a refusal is not retried');
    assert.equal(report.upgraded[0]!.failed.length, 1);
    assert.match(report.upgraded[0]!.failed[0]!.reason, /Video unavailable/);
  });

  test('a site that throttles a check is left alone until the next day: no retry, no further video of the channel', async () => {
    const taskQueue = uniqueTaskQueue('upgrade-throttled');
    const calls: string[] = [];
    const workers = fakes(taskQueue, calls, { candidates: async () => ['v1', 'v2', 'v3'], offered: () => P720 });
    const check = workers.main.checkVideoUpgrade!;
    workers.main.checkVideoUpgrade = async (input) => {
      if (input.externalId === 'v2') {
        calls.push('check v2');
        throw toFailure(new RateLimitedError('https://www.youtube.com/watch?v=v2', "Sign in to confirm you're not a bot"), Context.current().info.attempt);
      }
      return check(input);
    };
    const report = await withWorkers(workers, () => maintain(taskQueue));
    assert.deepEqual(calls, ['list', 'check v1', 'claim', 'download v1 22', 'swap v1 new-chan/v1', 'check v2']);
    assert.deepEqual(report.upgraded[0]!.failed, [{ externalId: 'v2', reason: "rate-limited by the site: Sign in to confirm you're not a bot" }]);
  });

  test('each video is asked about at most once a day, and only within `within`: 360p, then 720p a day later', { timeout: 120_000 }, async () => {
    const taskQueue = uniqueTaskQueue('upgrade-daily');
    const calls: string[] = [];
    const start = await env.currentTimeMs();
    // Rows as the database holds them: when each was downloaded, and last checked.
    const rows = new Map<string, { downloadedAt: number; checkedAt?: number }>([
      ['new', { downloadedAt: start }],
      ['old', { downloadedAt: start - 8 * DAY_MS }],
    ]);
    let offered = P360;
    const workers = fakes(taskQueue, calls, {
      // The real window, on the server's clock (which the day-long sleeps below move on).
      async candidates() {
        const window = upgradeWindow(new Date(await env.currentTimeMs()), 7 * DAY_MS);
        return [...rows]
          .filter(([, row]) => row.downloadedAt >= window.downloadedSince.getTime() && (row.checkedAt ?? 0) <= window.checkedBefore.getTime())
          .map(([id]) => id);
      },
      offered: () => offered,
    });
    const check = workers.main.checkVideoUpgrade!;
    workers.main.checkVideoUpgrade = async (input) => {
      rows.get(input.externalId)!.checkedAt = await env.currentTimeMs();
      return check(input);
    };

    await withWorkers(workers, async () => {
      const first = await maintain(taskQueue);
      assert.deepEqual(first.upgraded[0]!.upgraded, [], 'only 360p so far');
      await env.sleep(3_600_000);
      const hourLater = await maintain(taskQueue);
      assert.equal(hourLater.upgraded[0]!.checked, 0, 'an hour later the video is not asked about again');
      offered = P720;
      await env.sleep(DAY_MS - 3_600_000);
      const dayLater = await maintain(taskQueue);
      assert.deepEqual(dayLater.upgraded[0]!.upgraded, [{ externalId: 'new', from: P360, to: P720 }]);
    });
    assert.deepEqual(calls, ['list', 'check new', 'list', 'list', 'check new', 'claim', 'download new 22', 'swap new new-chan/new']);
    assert.equal(rows.get('old')!.checkedAt, undefined, 'a video downloaded 8 days ago is past its 7 days');
  });
});
