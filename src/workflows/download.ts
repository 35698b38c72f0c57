import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { DownloadActivities } from '../activities/download.ts';
import { downloadTaskQueueFor } from '../shared/names.ts';
import type { DownloadInput, DownloadSummary } from '../shared/types.ts';
import { FILE_AND_DATABASE, MEDIA_TRANSFER } from './policies.ts';

const { resolveDownload, finalizeDownload, markVideoFailed } = proxyActivities<DownloadActivities>(FILE_AND_DATABASE);

/** The message of the failure at the root of an activity failure: "…answered HTTP 404". */
function reasonOf(error: ActivityFailure): string {
  let cause: Error | undefined = error;
  while (cause?.cause instanceof Error && cause instanceof ActivityFailure) cause = cause.cause;
  const attempts = cause instanceof ApplicationFailure && !cause.nonRetryable ? ' (retries exhausted)' : '';
  return `${cause?.message ?? error.message}${attempts}`;
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
    const media = await downloadMedia({ url: target.mediaUrl, partPath: target.partPath });
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
