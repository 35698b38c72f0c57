import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { loadChannelList } from '../config/channels.ts';
import type { Db } from '../db/connect.ts';
import { getVideo, listFailed, markIgnored, resetRetries, type VideoKey } from '../db/videos.ts';
import { videoWorkflowId } from '../naming/workflow-ids.ts';
import type { DownloadInput } from '../shared/download.ts';
import { DOWNLOAD_WORKFLOW } from '../shared/names.ts';

// What an operator does with a failed video: start it again now, under its own workflow
// id, with the channel's options as channels.yaml says them today; or set it aside so
// that no crawl tries it again. `parker videos retry` and `parker videos ignore` call
// these (src/cli/videos-retry.ts).

export interface RetryVideosDeps {
  client: Client;
  db: Db;
  /** The download workflows' task queue (`<TEMPORAL_TASK_QUEUE>-download-workflows`). */
  taskQueue: string;
  /** channels.yaml, for the channel's current download options. */
  configPath: string;
}

/** What became of one video asked for again. */
export interface RetryOutcome extends VideoKey {
  workflowId: string;
  /** `started`: a new run; `running`: its download runs already, and was left alone. */
  status: 'started' | 'running';
}

/** A video that cannot be retried, with what to do about it. */
export class RetryRefusedError extends Error {
  override name = 'RetryRefusedError';
}

/** The channel's download options as channels.yaml has them now. */
async function currentOptions(configPath: string, channel: string): Promise<DownloadInput['download']> {
  const list = await loadChannelList(configPath);
  const config = list.channels.find((entry) => entry.name === channel);
  if (!config) {
    const problem = list.problems.find((entry) => entry.channel === channel);
    throw new RetryRefusedError(
      problem
        ? `channel ${channel} is left out of ${configPath}: ${problem.message}; fix the entry and retry`
        : `channel ${channel} is not in ${configPath}: add it back to retry its videos`,
    );
  }
  return config.download;
}

async function startAgain(deps: RetryVideosDeps, key: VideoKey, download: DownloadInput['download']): Promise<RetryOutcome> {
  const workflowId = videoWorkflowId(key.channel, key.externalId);
  await resetRetries(deps.db, key);
  try {
    await deps.client.workflow.start(DOWNLOAD_WORKFLOW, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ channel: key.channel, externalId: key.externalId, ...(download ? { download } : {}) } satisfies DownloadInput],
      // As a crawl starts it: a failed, cancelled or terminated run may be followed by
      // another, a finished or running one may not.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
    return { ...key, workflowId, status: 'started' };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { ...key, workflowId, status: 'running' };
    throw error;
  }
}

/**
 * Starts one video's download again now. Its retry schedule starts over, and a video set
 * aside is taken back. Refused for a video that is not recorded or downloaded already.
 */
export async function retryVideo(deps: RetryVideosDeps, key: VideoKey): Promise<RetryOutcome> {
  const video = await getVideo(deps.db, key);
  if (!video) {
    throw new RetryRefusedError(`no recorded video ${key.externalId} in channel ${key.channel}: check the id with \`parker videos list --channel ${key.channel}\``);
  }
  if (video.status === 'downloaded') {
    throw new RetryRefusedError(`video ${key.externalId} of channel ${key.channel} is downloaded already (${video.filePath ?? 'no path'})`);
  }
  return startAgain(deps, key, await currentOptions(deps.configPath, key.channel));
}

/** Starts every failed video again (of one channel, or of all), except those set aside. */
export async function retryAllFailed(deps: RetryVideosDeps, options: { channel?: string } = {}): Promise<RetryOutcome[]> {
  const outcomes: RetryOutcome[] = [];
  const optionsByChannel = new Map<string, DownloadInput['download']>();
  for (const video of await listFailed(deps.db, options.channel)) {
    if (!optionsByChannel.has(video.channel)) optionsByChannel.set(video.channel, await currentOptions(deps.configPath, video.channel));
    const key = { channel: video.channel, externalId: video.externalId };
    outcomes.push(await startAgain(deps, key, optionsByChannel.get(video.channel)));
  }
  return outcomes;
}

/** Sets a video aside: no crawl starts it again (`retryVideo` takes it back). */
export async function ignoreVideo(deps: Pick<RetryVideosDeps, 'db'>, key: VideoKey): Promise<void> {
  if (!(await markIgnored(deps.db, key))) {
    throw new RetryRefusedError(`no recorded video ${key.externalId} in channel ${key.channel}: check the id with \`parker videos list --channel ${key.channel}\``);
  }
}
