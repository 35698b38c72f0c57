import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto'; // CommonJS: its namespace comes as the default export
import { CRAWL_WORKFLOW, downloadWorkflowTaskQueueFor } from '../../src/shared/names.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { channelOfPacedVideos } from '../helpers/channels.ts';
import { settledVideos, sha256, testSettings, uniqueName } from '../helpers/parker.ts';
import { workerProcessSuite } from '../helpers/worker-process-suite.ts';
import type { WorkerProcess } from '../helpers/worker-process.ts';

// PARKER_WORKER_ROLES: a crawl-only and a download-only worker process split the pipeline
// between them, each running only its own workflows; a download-only worker never polls
// the queue the crawls are on.

const suite = workerProcessSuite({ scratchPrefix: 'parker-roles-' });

/** The identities of the workers that ran a workflow's tasks (the SDK's default: `<pid>@<hostname>`). */
async function workflowTaskIdentities(client: Client, workflowId: string): Promise<Set<string>> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  return new Set((events ?? []).flatMap((event) => event.workflowTaskStartedEventAttributes?.identity ?? []));
}

/** The identities polling a task queue for workflow tasks. */
async function workflowPollers(client: Client, taskQueue: string): Promise<string[]> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (pollers ?? []).map((poller) => poller.identity ?? '');
}

function pidOf(worker: WorkerProcess): string {
  return `${worker.child.pid}@`;
}

test('a crawl-only and a download-only worker together complete the pipeline, each running only its own part', { timeout: 120_000 }, async () => {
  const taskQueue = uniqueName('roles');
  const crawlSettings = testSettings(path.join(suite.scratch, 'crawler'), { roles: { crawl: true, download: false } });
  const downloadSettings = testSettings(path.join(suite.scratch, 'downloader'), { roles: { crawl: false, download: true } });
  crawlSettings.temporal.taskQueue = downloadSettings.temporal.taskQueue = taskQueue;
  const crawler = await suite.startWorker(crawlSettings);
  const downloader = await suite.startWorker(downloadSettings);

  const run = channelOfPacedVideos(suite.server, { prefix: 'roles', count: 6, size: 50_000, secondsPerFile: 0.2 });
  const crawlId = uniqueName('roles-crawl');
  await suite.client.workflow.start(CRAWL_WORKFLOW, { taskQueue, workflowId: crawlId, args: [run.input] });
  const videos = await settledVideos(suite.db, run.channel);
  assert.equal(videos.length, 6);
  for (const video of videos) {
    assert.equal(video.status, 'downloaded', video.reason);
    assert.ok(video.filePath!.startsWith(downloadSettings.downloadDir + path.sep), `${video.filePath} is in the downloader's folder`);
    assert.equal(sha256(await readFile(video.filePath!)), sha256(run.bodies.get(video.externalId)!));
  }
  await assert.rejects(readdir(crawlSettings.downloadDir), { code: 'ENOENT' }, 'the crawl-only worker wrote nothing');

  const crawlIdentities = [...(await workflowTaskIdentities(suite.client, crawlId))];
  assert.ok(crawlIdentities.length > 0 && crawlIdentities.every((id) => id.startsWith(pidOf(crawler))), `crawl ran on ${crawlIdentities.join(', ')}`);
  for (const video of videos) {
    const identities = [...(await workflowTaskIdentities(suite.client, videoWorkflowId(run.channel, video.externalId)))];
    assert.ok(identities.length > 0 && identities.every((id) => id.startsWith(pidOf(downloader))), `download ran on ${identities.join(', ')}`);
  }
});

test('a download-only worker alone never runs a crawl: it does not even poll the crawl queue', { timeout: 60_000 }, async () => {
  const settings = testSettings(path.join(suite.scratch, 'alone'), { roles: { crawl: false, download: true } });
  const taskQueue = settings.temporal.taskQueue;
  const downloader = await suite.startWorker(settings);
  const run = channelOfPacedVideos(suite.server, { prefix: 'alone', count: 1, size: 10_000, secondsPerFile: 0.1 });
  const crawl = await suite.client.workflow.start(CRAWL_WORKFLOW, { taskQueue, workflowId: uniqueName('alone-crawl'), args: [run.input] });

  // Polls show up within a second or two; give the worker ample time to (wrongly) take the crawl.
  const deadline = Date.now() + 20_000;
  while (!(await workflowPollers(suite.client, downloadWorkflowTaskQueueFor(taskQueue))).some((id) => id.startsWith(pidOf(downloader)))) {
    assert.ok(Date.now() < deadline, `the download-only worker never polled its own queue:\n${downloader.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  assert.deepEqual(await workflowPollers(suite.client, taskQueue), [], 'nobody polls the crawl queue');
  assert.deepEqual([...(await workflowTaskIdentities(suite.client, crawl.workflowId))], [], 'no worker took a task of the crawl');
  const { status } = await crawl.describe();
  assert.equal(status.name, 'RUNNING');
  await crawl.terminate('test over');
});
