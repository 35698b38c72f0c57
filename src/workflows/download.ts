import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  metricMeter,
  proxyActivities,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { DownloadActivities } from '../activities/download.ts';
import { downloadTaskQueueFor } from '../shared/names.ts';
import type { DownloadInput, DownloadSummary } from '../shared/types.ts';
import { workflowMetrics, type DownloadResultLabel } from '../telemetry/metrics.ts';
import { FILE_AND_DATABASE, MEDIA_TRANSFER } from './policies.ts';

const { resolveDownload, finalizeDownload, markVideoFailed } = proxyActivities<DownloadActivities>(FILE_AND_DATABASE);

/** The failure at the root of an activity failure. */
function rootCause(error: ActivityFailure): Error {
  let cause: Error = error;
  while (cause.cause instanceof Error && cause instanceof ActivityFailure) cause = cause.cause;
  return cause;
}

/** The message of the failure at the root of an activity failure: "…answered HTTP 404". */
function reasonOf(error: ActivityFailure): string {
  const cause = rootCause(error);
  const attempts = cause instanceof ApplicationFailure && !cause.nonRetryable ? ' (retries exhausted)' : '';
  return `${cause.message}${attempts}`;
}

/** The failure's type name (MediaGone, NotMedia, …): a metric label from a bounded set. */
function failureTypeOf(error: ActivityFailure): string {
  const cause = rootCause(error);
  if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
  if (cause instanceof TimeoutFailure) return 'Timeout';
  return cause.name;
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
    const media = await downloadMedia({
      url: target.mediaUrl,
      partPath: target.partPath,
      channel: input.channel,
      videoId: input.externalId,
    });
    const summary = await finalizeDownload({ video: input, target, media });
    recordEnd(input, 'downloaded');
    return summary;
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() =>
        markVideoFailed({ video: input, reason: 'download cancelled', partPath }),
      );
      recordEnd(input, 'cancelled', 'Cancelled');
      throw error;
    }
    if (error instanceof ActivityFailure) {
      const reason = reasonOf(error);
      await markVideoFailed({ video: input, reason, partPath });
      recordEnd(input, 'failed', failureTypeOf(error));
      throw ApplicationFailure.nonRetryable(`${input.channel}/${input.externalId}: ${reason}`, 'DownloadFailed');
    }
    throw error;
  }
}
