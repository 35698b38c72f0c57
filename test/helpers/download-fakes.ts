import { Context } from '@temporalio/activity';
import type { WorkflowBundleOption } from '@temporalio/worker';
import type { HostActivities, MainQueueActivities } from '../../src/activities/index.ts';
import { toFailure } from '../../src/activities/failures.ts';
import { DOWNLOAD_WORKFLOW } from '../../src/shared/names.ts';
import type { DownloadedMedia, DownloadHost, DownloadInput, DownloadSummary, DownloadTarget } from '../../src/shared/download.ts';
import type { downloadVideo } from '../../src/workflows/download.ts';
import { hostOn, timerDurations, uniqueTaskQueue, upsertedStatuses, type TimeSkipping } from './time-skipping.ts';

// One download workflow run on the time-skipping server with fakes of the activities it
// calls, typed as the real ones and failing with the failures toFailure makes of the real
// domain errors: the download's workflow tests drive its branches with them, and the
// recorded download histories (test/workflows/history-scenarios.ts) are made with them.

export const VIDEO: DownloadInput = { channel: 'timeskip', externalId: 'video01' };
export const TARGET: DownloadTarget = {
  mediaUrl: 'https://media.example/timeskip/video01.mp4',
  relativeStem: 'timeskip/2025-01-01 Video [video01]',
  declaredExt: 'mp4',
  method: 'http',
};
export const MEDIA: DownloadedMedia = { bytes: 1234, sha256: 'e3b0c442' };
export const SUMMARY: DownloadSummary = { status: 'downloaded', filePath: '/downloads/timeskip/video01.mp4', ...MEDIA };
/** The cooldown a throttled site gets: the default PARKER_SITE_COOLDOWN. */
export const SITE_COOLDOWN_MS = 3_600_000;
/** The pause of a host whose download folder is full: the default PARKER_DISK_FULL_PAUSE. */
export const DISK_FULL_PAUSE_MS = 15 * 60_000;

/** What the fakes were asked, in the order the workflow asked it. */
export interface Calls {
  /** downloadMedia attempts on hosts that are up. */
  transfers: number;
  claims: number;
  cooldownsStarted: string[];
  failed: string[];
  /** The failure labels markVideoFailed was given, which decide whether a crawl retries. */
  failureLabels: string[];
  diskPauses: string[];
  finalized: string[];
  discarded: string[];
}

/**
 * The main queue's fakes for one download: the video resolves to TARGET; a started
 * cooldown is reported by the next check, once, as the real table would until it ends.
 */
export function mainFakes(calls: Calls) {
  let cooldownMs = 0;
  let diskPauseMs = 0;
  return {
    async resolveDownload() {
      return { target: TARGET };
    },
    async markVideoFailed({ reason, failure }) {
      calls.failed.push(reason);
      calls.failureLabels.push(failure ?? '(none)');
    },
    async checkSiteCooldown({ hostId }) {
      const waitMs = Math.max(cooldownMs, hostId === 'a' ? diskPauseMs : 0);
      cooldownMs = 0;
      diskPauseMs = 0;
      return { site: 'media.example', waitMs };
    },
    async startDiskFullPause({ hostId, reason }) {
      calls.diskPauses.push(`${hostId}: ${reason}`);
      diskPauseMs = DISK_FULL_PAUSE_MS;
      return { waitMs: DISK_FULL_PAUSE_MS };
    },
    async startSiteCooldown({ reason }) {
      calls.cooldownsStarted.push(reason);
      cooldownMs = SITE_COOLDOWN_MS;
      return { site: 'media.example', waitMs: SITE_COOLDOWN_MS };
    },
  } satisfies Partial<MainQueueActivities>;
}

/** A host whose transfer answers with `transfer(attempt)`; attempts count from 1. */
export function hostFakes(calls: Calls, hostId: string, transfer: (attempt: number) => Promise<DownloadedMedia>) {
  return {
    async downloadMedia() {
      calls.transfers++;
      try {
        return await transfer(calls.transfers);
      } catch (error) {
        throw toFailure(error, Context.current().info.attempt);
      }
    },
    async finalizeDownload() {
      calls.finalized.push(hostId);
      return SUMMARY;
    },
    async discardPart() {
      calls.discarded.push(hostId);
    },
  } satisfies TransferFakes;
}

/** What a download calls on its host (the host's queue also runs the quality upgrades). */
export type TransferFakes = Pick<HostActivities, 'downloadMedia' | 'finalizeDownload' | 'discardPart'>;

export function newCalls(): Calls {
  return { transfers: 0, claims: 0, cooldownsStarted: [], failed: [], failureLabels: [], diskPauses: [], finalized: [], discarded: [] };
}

export interface DownloadScenario {
  /** The host each claim hands out, by claim number (from 1); default host `a`. */
  claim?: (claim: number, taskQueue: string) => DownloadHost;
  /** How host `a`'s transfer attempts end, by attempt number (from 1); default with MEDIA. */
  transfer?: (attempt: number) => Promise<DownloadedMedia>;
  /** The hosts that have a worker, by id; default `a` with `transfer`. */
  hosts?: (calls: Calls) => Record<string, TransferFakes>;
  workflowBundle?: WorkflowBundleOption;
}

/**
 * A function that runs one download to its end on fresh workers and returns its result
 * (or failure), the fakes' calls, the durable timers its history holds, and its run.
 */
export function downloadRunner({ client, withWorkers }: TimeSkipping) {
  return async function runDownload({
    claim,
    transfer = async () => MEDIA,
    hosts = (calls) => ({ a: hostFakes(calls, 'a', transfer) }),
    workflowBundle,
  }: DownloadScenario) {
    const taskQueue = uniqueTaskQueue('download');
    const calls = newCalls();
    return withWorkers(
      {
        taskQueue,
        main: mainFakes(calls),
        claims: {
          async claimDownloadHost() {
            calls.claims++;
            return claim ? claim(calls.claims, taskQueue) : hostOn(taskQueue, 'a');
          },
        },
        hosts: hosts(calls),
        ...(workflowBundle ? { workflowBundle } : {}),
      },
      async () => {
        const handle = await client.workflow.start<typeof downloadVideo>(DOWNLOAD_WORKFLOW, {
          taskQueue,
          workflowId: `${taskQueue}-video01`,
          args: [VIDEO],
          // The longest limit under test lasts a day (48 premiere waits, 24 cooldowns): a
          // workflow that ignores its limit times out here instead of looping on.
          workflowExecutionTimeout: '3d',
        });
        const outcome: { summary?: DownloadSummary; error?: unknown } = await handle.result().then(
          (summary) => ({ summary }),
          (error: unknown) => ({ error }),
        );
        const history = await handle.fetchHistory();
        const run = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
        return { ...outcome, calls, timers: timerDurations(history.events ?? []), statuses: upsertedStatuses(history.events ?? []), run };
      },
    );
  };
}
