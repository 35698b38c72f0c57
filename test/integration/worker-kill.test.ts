import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import type { DownloadProgress } from '../../src/shared/download.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, settledVideos, sha256, testSettings, uniqueName } from '../helpers/parker.ts';
import { workerProcessSuite } from '../helpers/worker-process-suite.ts';

// A worker killed with SIGKILL in the middle of a download, then started again: the
// download resumes from its part file and the file is fetched once, whole and right.

const suite = workerProcessSuite({ scratchPrefix: 'parker-kill-' });

async function partFileSize(folder: string): Promise<number> {
  try {
    const part = (await readdir(folder)).find((name) => name.endsWith('.part'));
    return part ? (await stat(path.join(folder, part))).size : 0;
  } catch {
    return 0;
  }
}

/** Waits until the download's pending activity has heartbeated at least `bytes`. */
async function heartbeatOf(client: Client, workflowId: string, bytes: number): Promise<DownloadProgress> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { raw } = await client.workflow.getHandle(workflowId).describe();
    const payload = raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
    const progress = payload ? defaultPayloadConverter.fromPayload<DownloadProgress>(payload) : undefined;
    if (progress && progress.bytesDone >= bytes) return progress;
    assert.ok(Date.now() < deadline, `no heartbeat reached ${bytes} bytes; last: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('a worker killed mid-download resumes from its part file after a restart and completes once', { timeout: 180_000 }, async () => {
  const settings = testSettings(suite.scratch);
  const body = mediaBytes(2_000_000);
  const sentBeforeKill = 700_000;
  // The first response sends 700 kB and then hangs, so the kill lands mid-transfer.
  const episode = podcastWithOneEpisode(
    suite.server,
    { body, contentType: 'audio/mpeg', etag: '"big-file"' },
    { faults: [{ kind: 'pause', afterBytes: sentBeforeKill }] },
  );
  const folder = path.join(settings.downloadDir, episode.channel);

  await suite.startWorker(settings);
  await suite.client.workflow.start(CRAWL_WORKFLOW, {
    taskQueue: settings.temporal.taskQueue,
    workflowId: uniqueName('kill-crawl'),
    args: [episode.input],
  });

  const deadline = Date.now() + 60_000;
  while ((await partFileSize(folder)) < sentBeforeKill) {
    assert.ok(Date.now() < deadline, `the download never reached ${sentBeforeKill} bytes:\n${suite.workers[0]!.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // What the Web UI shows under Pending Activities: the transfer's heartbeat.
  const progress = await heartbeatOf(suite.client, videoWorkflowId(episode.channel, episode.externalId), sentBeforeKill);
  assert.deepEqual(progress, { bytesDone: sentBeforeKill, totalBytes: body.length, validator: '"big-file"' });

  await suite.workers[0]!.kill('SIGKILL');

  await suite.startWorker(settings);
  const [video] = await settledVideos(suite.db, episode.channel, 150_000);
  assert.equal(video?.status, 'downloaded', video?.reason);
  assert.equal(video.sha256, sha256(body));
  assert.equal(sha256(await readFile(video.filePath!)), sha256(body));

  const stats = suite.server.stats(episode.mediaPath);
  assert.equal(stats.requests, 2, 'one request before the kill, one resume after');
  assert.equal(stats.requestHeaders[1]!.range, `bytes=${sentBeforeKill}-`);
  assert.equal(stats.partialBodies, 1);
  assert.equal(stats.fullBodies, 0, 'the whole file was never sent');
  assert.deepEqual(await readdir(folder), [path.basename(video.filePath!)], 'no part file or resume record is left');
});
