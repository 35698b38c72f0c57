import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DOWNLOAD_WORKFLOW, CRAWL_WORKFLOW, downloadWorkflowTaskQueueFor } from '../../src/shared/names.ts';
import type { Settings } from '../../src/config/settings.ts';
import { channelOfPacedVideos, type ManyVideos } from '../helpers/channels.ts';
import { settledVideos, sha256, testSettings, uniqueName } from '../helpers/parker.ts';
import { workerProcessSuite } from '../helpers/worker-process-suite.ts';

// Scale-out: several worker processes on one task queue share the work, each video is
// downloaded exactly once, and a worker killed with SIGKILL mid-download loses nothing:
// the one that stays takes over its transfers.

const suite = workerProcessSuite({ scratchPrefix: 'parker-scale-' });

async function filesIn(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

/** Two workers' settings on one task queue, each with a download folder (and so a host id) of its own. */
function twoWorkers(name: string): [Settings, Settings] {
  const taskQueue = uniqueName(name);
  const pair = [testSettings(path.join(suite.scratch, `${name}-a`)), testSettings(path.join(suite.scratch, `${name}-b`))] as const;
  for (const settings of pair) settings.temporal.taskQueue = taskQueue;
  return [pair[0], pair[1]];
}

/**
 * Every video of the run is downloaded, whole, in exactly one of the folders, and its
 * download workflow ran once. Returns how many videos each folder holds.
 */
async function assertEachVideoOnce(run: ManyVideos, folders: string[], taskQueue: string): Promise<number[]> {
  const videos = await settledVideos(suite.db, run.channel, 200_000);
  assert.equal(videos.length, run.bodies.size);
  const listed = await Promise.all(folders.map((folder) => filesIn(path.join(folder, run.channel))));
  for (const video of videos) {
    assert.equal(video.status, 'downloaded', video.reason);
    assert.equal(sha256(await readFile(video.filePath!)), sha256(run.bodies.get(video.externalId)!));
    const holders = folders.filter((_, i) => listed[i]!.includes(path.basename(video.filePath!)));
    assert.deepEqual(holders, [folders.find((folder) => video.filePath!.startsWith(folder + path.sep))], `${video.filePath} is in one folder`);
  }
  const runs = new Map<string, number>();
  for await (const execution of suite.client.workflow.list({
    query: `WorkflowType = '${DOWNLOAD_WORKFLOW}' AND TaskQueue = '${downloadWorkflowTaskQueueFor(taskQueue)}'`,
  })) {
    runs.set(execution.workflowId, (runs.get(execution.workflowId) ?? 0) + 1);
  }
  assert.equal(runs.size, run.bodies.size, 'one download workflow per video');
  assert.deepEqual([...runs.values()].filter((count) => count !== 1), [], 'no download ran twice');
  return listed.map((names) => names.filter((name) => name.endsWith('.mp4')).length);
}

test('two workers, forty videos: both download some, every video exactly once', { timeout: 300_000 }, async () => {
  const [a, b] = twoWorkers('scale');
  await suite.startWorker(a);
  await suite.startWorker(b);
  const run = channelOfPacedVideos(suite.server, { prefix: 'scale', count: 40, size: 20_000, secondsPerFile: 0.3 });
  await suite.client.workflow.start(CRAWL_WORKFLOW, { taskQueue: a.temporal.taskQueue, workflowId: uniqueName('scale-crawl'), args: [run.input] });

  const perFolder = await assertEachVideoOnce(run, [a.downloadDir, b.downloadDir], a.temporal.taskQueue);
  assert.equal(perFolder[0]! + perFolder[1]!, 40, `nothing but the forty videos: ${perFolder.join(' + ')}`);
  assert.ok(perFolder.every((count) => count > 0), `both workers downloaded some: ${perFolder.join(' + ')}`);
  for (const externalId of run.bodies.keys()) {
    assert.equal(suite.server.stats(run.mediaPathOf(externalId)).completedBodies, 1, `${externalId} was fetched once`);
  }
});

test('a worker killed with SIGKILL mid-download: the other finishes the work, nothing lost or duplicated', { timeout: 400_000 }, async () => {
  const [a, b] = twoWorkers('scale-kill');
  const killed = await suite.startWorker(a);
  await suite.startWorker(b);
  const run = channelOfPacedVideos(suite.server, { prefix: 'scale-kill', count: 40, size: 200_000, secondsPerFile: 2 });
  await suite.client.workflow.start(CRAWL_WORKFLOW, { taskQueue: a.temporal.taskQueue, workflowId: uniqueName('kill-crawl'), args: [run.input] });

  const folderOfA = path.join(a.downloadDir, run.channel);
  const deadline = Date.now() + 120_000;
  while (!(await filesIn(folderOfA)).some((name) => name.endsWith('.part'))) {
    assert.ok(Date.now() < deadline, `the first worker never started a transfer:\n${killed.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await killed.kill('SIGKILL');
  const finishedByA = (await filesIn(folderOfA)).filter((name) => name.endsWith('.mp4')).length;

  const perFolder = await assertEachVideoOnce(run, [a.downloadDir, b.downloadDir], a.temporal.taskQueue);
  assert.equal(perFolder[0], finishedByA, 'the killed worker finished nothing after the kill');
  assert.equal(perFolder[0]! + perFolder[1]!, 40);
  assert.ok(perFolder[1]! > 0, 'the worker that stayed finished the rest');
  assert.deepEqual(
    (await filesIn(path.join(b.downloadDir, run.channel))).filter((name) => !name.endsWith('.mp4')),
    [],
    'no part file is left on the worker that stayed',
  );
});
