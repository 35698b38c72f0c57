import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { DownloadActivities } from '../activities/download.ts';
import { downloadTaskQueueFor } from '../shared/names.ts';
import { FailureType } from '../shared/failure-types.ts';
import type { DownloadedMedia, DownloadInput, DownloadSummary, DownloadTarget } from '../shared/types.ts';
import { FILE_AND_DATABASE, MEDIA_TRANSFER, UPCOMING_GRACE_MS, UPCOMING_MAX_WAITS, UPCOMING_RECHECK_MS } from './policies.ts';

const { resolveDownload, finalizeDownload, markVideoFailed } = proxyActivities<DownloadActivities>(FILE_AND_DATABASE);

/** The message of the failure at the root of an activity failure: "…answered HTTP 404". */
function reasonOf(error: ActivityFailure): string {
  let cause: Error | undefined = error;
  while (cause?.cause instanceof Error && cause instanceof ActivityFailure) cause = cause.cause;
  const attempts = cause instanceof ApplicationFailure && !cause.nonRetryable ? ' (retries exhausted)' : '';
  return `${cause?.message ?? error.message}${attempts}`;
}

/** How long to wait when the failure says the video is a premiere or a scheduled stream. */
function upcomingWaitMs(error: unknown): number | undefined {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return undefined;
  if (error.cause.type !== FailureType.VideoUpcoming) return undefined;
  const startsInMs = (error.cause.details?.[0] as { startsInMs?: number | null } | undefined)?.startsInMs;
  return typeof startsInMs === 'number' ? startsInMs + UPCOMING_GRACE_MS : UPCOMING_RECHECK_MS;
}

/**
 * Downloads one recorded video: resolve where it goes, fetch it (resuming across
 * attempts), then rename it into place. Ends with the video `downloaded`, or `failed`
 * with the reason, in the database; a failure also fails this workflow, so the Web UI
 * shows it.
 */
export async function downloadVideo(input: DownloadInput): Promise<DownloadSummary> {
  // Transfers run on their own task queue, whose worker slots bound concurrent downloads.
  const { downloadMedia } = proxyActivities<DownloadActivities>({
    ...MEDIA_TRANSFER,
    taskQueue: downloadTaskQueueFor(workflowInfo().taskQueue),
  });

  let partPath: string | undefined;
  try {
    const resolved = await resolveDownload(input);
    if ('alreadyDownloaded' in resolved) return resolved.alreadyDownloaded;
    const { target } = resolved;
    partPath = target.partPath;
    const media = await downloadWaitingForRelease(downloadMedia, input, target);
    return await finalizeDownload({ video: input, target, media });
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() =>
        markVideoFailed({ video: input, reason: 'download cancelled', partPath }),
      );
      throw error;
    }
    if (error instanceof ActivityFailure) {
      const reason = reasonOf(error);
      await markVideoFailed({ video: input, reason, partPath });
      throw ApplicationFailure.nonRetryable(`${input.channel}/${input.externalId}: ${reason}`, 'DownloadFailed');
    }
    throw error;
  }
}

/**
 * Runs the transfer; a premiere or scheduled stream that has not started is waited for
 * on a durable timer (it survives worker restarts) and tried again, instead of failing.
 */
async function downloadWaitingForRelease(
  downloadMedia: DownloadActivities['downloadMedia'],
  input: DownloadInput,
  target: DownloadTarget,
): Promise<DownloadedMedia> {
  for (let waits = 0; ; waits++) {
    try {
      return await downloadMedia({
        url: target.mediaUrl,
        partPath: target.partPath,
        method: target.method,
        ...(input.download ? { options: input.download } : {}),
      });
    } catch (error) {
      const waitMs = upcomingWaitMs(error);
      if (waitMs === undefined || waits >= UPCOMING_MAX_WAITS) throw error;
      await sleep(waitMs);
    }
  }
}
