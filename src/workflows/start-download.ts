import { ParentClosePolicy, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CrawlInput, PendingVideo } from '../shared/crawl.ts';
import { downloadWorkflowTaskQueueFor } from '../shared/names.ts';
import { PARKER_CHANNEL, PARKER_STATUS, PARKER_VIDEO_ID } from '../shared/search-attributes.ts';
import { downloadVideo } from './download.ts';

/** What starting downloads came to; both the crawl's and the backfill's summaries have these. */
export interface StartCounts {
  started: number;
  alreadyRunning: number;
}

/** The one-line summary the Web UI shows for a download: its title and channel. */
export function downloadSummaryFor(channel: string, video: Pick<PendingVideo, 'externalId' | 'title'>): string {
  // Single-line by the server's rules; a feed's title may carry line breaks.
  const title = (video.title ?? video.externalId).replace(/\s+/g, ' ').trim();
  return `${title} — ${channel}`;
}

/**
 * Starts the download of one video, keyed by its workflow id. A second start of the
 * same id is refused by the server (while it runs, or once it has finished: only a
 * failed, cancelled or terminated download may run again) and counted, not thrown.
 */
export async function startDownload(crawl: CrawlInput, video: PendingVideo, counts: StartCounts): Promise<void> {
  try {
    await startChild(downloadVideo, {
      workflowId: video.workflowId,
      // Where only the workers with the download role look; the crawl runs on the main queue.
      taskQueue: downloadWorkflowTaskQueueFor(workflowInfo().taskQueue),
      args: [{ channel: crawl.channel, externalId: video.externalId, ...(crawl.download ? { download: crawl.download } : {}) }],
      // The download outlives the crawl that found it.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      // No run or execution timeout: a download ends through its activities' own limits.
      typedSearchAttributes: [
        { key: PARKER_CHANNEL, value: crawl.channel },
        { key: PARKER_VIDEO_ID, value: video.externalId },
        { key: PARKER_STATUS, value: 'downloading' },
      ],
      staticSummary: downloadSummaryFor(crawl.channel, video),
      staticDetails: `Video \`${video.externalId}\` of channel \`${crawl.channel}\`, found by the crawl of ${crawl.url}`,
    });
    counts.started++;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      counts.alreadyRunning++;
      return;
    }
    throw error;
  }
}
