import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  metricMeter,
  ParentClosePolicy,
  sleep,
  startChild,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { VideoEnd } from '../shared/notify.ts';
import { notifyVideo } from './notify.ts';
import type { HostActivities } from '../activities/index.ts';
import { failureLabel, rootCause } from '../shared/failure-label.ts';
import { CANCELLED } from '../rules/retry-schedule.ts';
import { FailureType, type UpcomingDetails } from '../shared/failure-types.ts';
import type { DownloadedMedia, DownloadHost, DownloadInput, DownloadSummary, DownloadTarget } from '../shared/download.ts';
import { PARKER_CHANNEL, PARKER_STATUS, PARKER_VIDEO_ID, type DownloadState } from '../shared/search-attributes.ts';
import {
  CLAIM_HOST,
  DISK_FULL_MAX_WAITS,
  FILE_AND_DATABASE,
  LOCAL_DATABASE,
  MEDIA_TRANSFER,
  ON_HOST,
  SITE_COOLDOWN_MAX_WAITS,
  UPCOMING_GRACE_MS,
  UPCOMING_MAX_WAITS,
  UPCOMING_RECHECK_MS,
} from './policies.ts';
import { downloadTaskQueueFor } from '../shared/names.ts';
import { MAX_MISSED_TURNS } from '../rules/transfer-turn.ts';
import { claimQueue, downloadWorkflowLocal, downloadWorkflowQueue, hostQueue } from './task-queues.ts';
import { workflowMetrics, type DownloadResultLabel } from '../telemetry/metrics.ts';
import { requestMediaRefresh } from './media-refresh.ts';

const { markVideoFailed, startSiteCooldown, startDiskFullPause } = downloadWorkflowQueue(FILE_AND_DATABASE);
// The two steps every download takes; the others come only with a failure or a throttle.
const { resolveDownload, checkSiteCooldown } = downloadWorkflowLocal(LOCAL_DATABASE);

/** Hosts a download may be handed to in turn, when each one it was pinned to goes away. */
export const MAX_HOST_CLAIMS = 20;

/** The failure at the root of an activity failure, which is an Error. */
function rootError(error: ActivityFailure): Error {
  const cause = rootCause(error);
  return cause instanceof Error ? cause : error;
}

/** The message of the failure at the root of an activity failure: "…answered HTTP 404". */
function reasonOf(error: ActivityFailure): string {
  // The server's own words for it are a bare "timeout", or nothing at all.
  if (hostWentAway(error)) {
    return `no host took the transfer: ${MAX_HOST_CLAIMS} claimed in turn, none picked it up within ${String(ON_HOST.scheduleToStartTimeout)}`;
  }
  const cause = rootError(error);
  if (missedTurn(error)) return `missed its turn ${MAX_MISSED_TURNS} times (${cause.message})`;
  const attempts = cause instanceof ApplicationFailure && !cause.nonRetryable ? ' (retries exhausted)' : '';
  return `${cause.message}${attempts}`;
}

/**
 * Counts the end of a download and how long it took. The workflow metric meter records
 * nothing while a history is replayed, and Date.now() is the workflow's own clock.
 */
function recordEnd(input: DownloadInput, result: DownloadResultLabel, reason = 'none'): void {
  const metrics = workflowMetrics(metricMeter);
  const seconds = (Date.now() - workflowInfo().startTime.getTime()) / 1000;
  metrics.downloadsFinished.add(1, { channel: input.channel, result, reason });
  metrics.downloadDuration.record(seconds, { channel: input.channel, result });
}

/**
 * Labels the download for the Web UI's and `temporal workflow list`'s queries. A crawl
 * sets the labels when it starts the download; one started by hand (`temporal workflow
 * start`) gets them here.
 */
function labelDownload(input: DownloadInput): void {
  const labels = workflowInfo().typedSearchAttributes;
  const missing = [
    ...(labels.get(PARKER_CHANNEL) === undefined ? [{ key: PARKER_CHANNEL, value: input.channel }] : []),
    ...(labels.get(PARKER_VIDEO_ID) === undefined ? [{ key: PARKER_VIDEO_ID, value: input.externalId }] : []),
  ];
  if (missing.length > 0) upsertSearchAttributes(missing);
  setState('downloading');
}

/** Moves ParkerStatus, when it changes: each upsert is an event in the history. */
function setState(state: DownloadState): void {
  if (workflowInfo().typedSearchAttributes.get(PARKER_STATUS) === state) return;
  upsertSearchAttributes([{ key: PARKER_STATUS, value: state }]);
}

/**
 * Starts the notification of the video's end as a workflow of its own, and does not wait
 * for it: the download's result is recorded already, and a webhook that is down must
 * neither fail the download nor hold it open. (An activity here with its failure swallowed
 * would still keep the download running through the webhook's retries.) Started only
 * for a channel with `notify:` (resolveDownload says), so other downloads have no extra
 * workflow.
 */
async function notifyInBackground(end: VideoEnd): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  try {
    await startChild(notifyVideo, {
      workflowId: `${workflowId}-notify-${runId}`,
      args: [end],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // No run or execution timeout: the notification ends through its activities' own limits.
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** The host a transfer was pinned to did not pick it up in time: it is down or gone. */
function hostWentAway(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START
  );
}

/** How long to wait when the failure says the video is a premiere or a scheduled stream. */
function upcomingWaitMs(error: unknown): number | undefined {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return undefined;
  if (error.cause.type !== FailureType.VideoUpcoming) return undefined;
  // Written by the activity from VideoUpcomingError.details.
  const startsInMs = (error.cause.details?.[0] as UpcomingDetails | undefined)?.startsInMs;
  return typeof startsInMs === 'number' ? startsInMs + UPCOMING_GRACE_MS : UPCOMING_RECHECK_MS;
}

/** The activities that must run where the part file is: on the host's own task queue. */
function onHost(host: DownloadHost) {
  return { transfer: hostQueue(host, MEDIA_TRANSFER), files: hostQueue(host, FILE_AND_DATABASE) };
}

/**
 * Records the failure (its type says whether a later crawl tries again), then removes the
 * part from its host if that host is still there.
 */
async function fail(input: DownloadInput, reason: string, failure: string, target?: DownloadTarget, host?: DownloadHost): Promise<void> {
  await markVideoFailed({ video: input, reason, failure });
  if (!target || !host) return;
  try {
    await onHost(host).files.discardPart({ target });
  } catch (error) {
    if (!hostWentAway(error)) throw error; // a host that is gone keeps its part; no other host has one
  }
}

/**
 * Downloads one recorded video: resolve its file name, pin the transfer to one host
 * (the part file lives there, so retries resume there), fetch it, rename it into place.
 * If that host does not come back within a minute, the transfer starts over on another.
 * Ends with the video `downloaded`, or `failed` with the reason, in the database; a
 * failure also fails this workflow, so the Web UI shows it, and so that a later crawl may
 * start the video again under the same id when the failure was transient.
 */
export async function downloadVideo(input: DownloadInput): Promise<DownloadSummary> {
  let target: DownloadTarget | undefined;
  let host: DownloadHost | undefined;
  labelDownload(input);
  let notify = false;
  try {
    const resolved = await resolveDownload(input);
    if ('alreadyDownloaded' in resolved) {
      setState('downloaded');
      return resolved.alreadyDownloaded;
    }
    target = resolved.target;
    // Any downloads worker may claim a transfer. A resolve recorded by an older worker
    // names no queue: the downloads then ran on the main queue, whose claim queue this is.
    const { claimDownloadHost } = claimQueue(resolved.claimTaskQueue ?? downloadTaskQueueFor(workflowInfo().taskQueue), CLAIM_HOST);
    notify = resolved.notify === true;
    let missedTurns = 0;
    for (let claim = 1; ; ) {
      const claimed = await claimDownloadHost();
      host = { hostId: claimed.hostId, taskQueue: claimed.taskQueue };
      const { transfer, files } = onHost(host);
      try {
        const media = await downloadWaitingForRelease(transfer.downloadMedia, input, target, host, claimed.startAt);
        const summary = await files.finalizeDownload({ video: input, target, media });
        setState('downloaded');
        recordEnd(input, 'downloaded');
        if (input.download?.mediaRefresh) await requestMediaRefresh();
        if (notify) await notifyInBackground({ event: 'downloaded', channel: input.channel, externalId: input.externalId, filePath: summary.filePath });
        return summary;
      } catch (error) {
        // Claimed again: the host is gone, or the transfer came too late for its turn.
        if (hostWentAway(error) && claim++ < MAX_HOST_CLAIMS) continue;
        if (missedTurn(error) && ++missedTurns < MAX_MISSED_TURNS) continue;
        throw error;
      }
    }
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => fail(input, 'download cancelled', CANCELLED, target, host));
      setState('failed');
      recordEnd(input, 'cancelled', 'Cancelled');
      throw error;
    }
    if (error instanceof ActivityFailure) {
      const reason = reasonOf(error);
      await fail(input, reason, failureLabel(error), target, host);
      setState('failed');
      recordEnd(input, 'failed', failureLabel(error));
      if (notify) await notifyInBackground({ event: 'failed', channel: input.channel, externalId: input.externalId, reason });
      throw ApplicationFailure.nonRetryable(`${input.channel}/${input.externalId}: ${reason}`, 'DownloadFailed');
    }
    throw error;
  }
}

/** The transfer failed because the site throttled it (HTTP 429, bot check). */
function wasRateLimited(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === FailureType.RateLimited;
}

/** A rate-limited site's transfer reached its host after the start its claim gave it. */
function missedTurn(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === FailureType.MissedTurn;
}

/** The transfer found the host's download folder full. */
function diskWasFull(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === FailureType.DiskFull;
}

/**
 * Waits, on durable timers, until the site of the URL is out of its cooldown and the
 * host's download folder is not paused as full. Asks again after each wait: another
 * download may have extended either meanwhile.
 */
async function waitForSite(mediaUrl: string, host: DownloadHost): Promise<void> {
  for (;;) {
    const { waitMs } = await checkSiteCooldown({ mediaUrl, hostId: host.hostId });
    if (waitMs <= 0) return;
    setState('waiting-cooldown');
    await sleep(waitMs);
  }
}

/**
 * Runs the transfer once its site is out of any cooldown. A throttled transfer starts
 * the site's cooldown (every download from the site then waits for it) and is tried again
 * after it. A premiere or scheduled stream that has not started is waited for on a
 * durable timer and tried again, instead of failing. A full download folder pauses the
 * host's transfers (this one resumes its part after the pause). The waits survive worker
 * restarts. `startAt`, the start a rate-limited site's claim gave, holds for the first
 * try only: one after a wait resumes on its host without a new turn.
 */
async function downloadWaitingForRelease(
  downloadMedia: HostActivities['downloadMedia'],
  input: DownloadInput,
  target: DownloadTarget,
  host: DownloadHost,
  startAt: number | undefined,
): Promise<DownloadedMedia> {
  let upcomingWaits = 0;
  let rateLimitedWaits = 0;
  let diskFullWaits = 0;
  for (let turn = startAt; ; turn = undefined) {
    await waitForSite(target.mediaUrl, host);
    setState('downloading');
    try {
      return await downloadMedia({
        target,
        channel: input.channel,
        videoId: input.externalId,
        ...(input.download ? { options: input.download } : {}),
        ...(turn === undefined ? {} : { startAt: turn }),
      });
    } catch (error) {
      if (wasRateLimited(error) && rateLimitedWaits++ < SITE_COOLDOWN_MAX_WAITS) {
        // The site's own words; reasonOf would call a throttle "retries exhausted".
        await startSiteCooldown({ mediaUrl: target.mediaUrl, reason: rootError(error as ActivityFailure).message });
        continue;
      }
      if (diskWasFull(error) && diskFullWaits++ < DISK_FULL_MAX_WAITS) {
        await startDiskFullPause({ hostId: host.hostId, reason: rootError(error as ActivityFailure).message });
        continue;
      }
      const waitMs = upcomingWaitMs(error);
      if (waitMs === undefined || upcomingWaits++ >= UPCOMING_MAX_WAITS) throw error;
      setState('waiting-premiere');
      await sleep(waitMs);
    }
  }
}
