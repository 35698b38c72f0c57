import { ActivityFailure, log, ParentClosePolicy, sleep, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { MEDIA_REFRESH_BATCH_MS, type MediaRefreshReport } from '../shared/media-refresh.ts';
import { MAINTENANCE, MEDIA_REFRESH } from './policies.ts';
import { downloadWorkflowQueue } from './task-queues.ts';

// On the download workflows' queue, where the downloads that start a batch run.
const { listMediaServers } = downloadWorkflowQueue(MAINTENANCE);
const { refreshMediaServer } = downloadWorkflowQueue(MEDIA_REFRESH);

/** One batch per task queue at a time: the download that finds none running starts it. */
function batchWorkflowId(): string {
  return `parker-media-refresh-${workflowInfo().taskQueue}`;
}

/**
 * A batch of library refreshes: waits a minute, so that every download finishing
 * meanwhile shares it, then asks each media server once. A server that keeps refusing is
 * reported, not failed on: nothing waits for this workflow. The next batch can only start
 * once this one has ended, so no library is refreshed more than once a minute.
 */
export async function refreshMediaServers(): Promise<MediaRefreshReport> {
  await sleep(MEDIA_REFRESH_BATCH_MS);
  const report: MediaRefreshReport = { servers: [] };
  for (const name of await listMediaServers()) {
    try {
      await refreshMediaServer({ name });
      report.servers.push({ name, refreshed: true });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const reason = error.cause?.message ?? error.message;
      log.warn('media server refresh failed', { server: name, reason });
      report.servers.push({ name, refreshed: false, error: reason });
    }
  }
  return report;
}

/**
 * Called by a download that finished: joins the running batch, or starts one. Never
 * throws and never waits for the refresh, so a media server can neither fail nor
 * delay a download.
 */
export async function requestMediaRefresh(): Promise<void> {
  try {
    await startChild(refreshMediaServers, {
      workflowId: batchWorkflowId(),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowExecutionTimeout: '1h',
    });
  } catch (error) {
    // A batch is running: this download's file is in place before it asks the servers.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    log.warn('could not start a media refresh batch', { error: (error as Error).message });
  }
}
