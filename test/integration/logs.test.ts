import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { connectDb, type Db } from '../../src/db/connect.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, settledVideos, testSettings, uniqueName } from '../helpers/parker.ts';
import { freePort } from '../helpers/ports.ts';
import { services } from '../helpers/services.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';

// The real entry point (`npm run worker`) as an operator runs it: its stdout is JSON
// lines whose activity lines say which workflow, run, activity, channel and video they
// are about, and its metrics endpoint serves Temporal's and Parker's metrics.

let server: FixtureServer;
let worker: WorkerProcess;
let db: Db;
let connection: Connection;
let scratch: string;
const metricsPort = await freePort();

before(async () => {
  server = await FixtureServer.start();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-logs-'));
  const settings = testSettings(scratch, {
    telemetry: { metrics: { host: '127.0.0.1', port: metricsPort }, serviceName: 'parker-test' },
  });
  db = connectDb(settings.databaseUrl, settings.dataDir);
  worker = await startWorkerProcess(settings);
  connection = await Connection.connect({ address: services.temporalAddress });

  const episode = podcastWithOneEpisode(server, { body: mediaBytes(20_000), contentType: 'audio/mpeg' });
  await new Client({ connection }).workflow.execute(CRAWL_WORKFLOW, {
    taskQueue: settings.temporal.taskQueue,
    workflowId: uniqueName('test-crawl-logs'),
    args: [episode.input],
    workflowExecutionTimeout: '2m',
  });
  const [video] = await settledVideos(db, episode.channel);
  assert.equal(video?.status, 'downloaded');
});

after(async () => {
  await worker?.kill('SIGTERM');
  await connection?.close();
  await db?.destroy();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the worker process', () => {
  test("logs JSON lines that name the workflow, run, activity, channel and video", async () => {
    const deadline = Date.now() + 10_000;
    let line: Record<string, unknown> | undefined;
    while (!(line = jsonLines(worker.output()).find((entry) => entry.msg === 'video downloaded'))) {
      assert.ok(Date.now() < deadline, `no "video downloaded" line in:\n${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(String(line.workflowId), /^parker-video-dl-/);
    assert.match(String(line.workflowRunId), /^[0-9a-f-]{36}$/);
    assert.equal(line.activityType, 'finalizeDownload');
    assert.match(String(line.channel), /^dl-/);
    assert.equal(line.videoId, `${String(line.channel)}-ep`);
    assert.equal(line.taskToken, undefined, 'task tokens stay out of the logs');
  });

  test('serves Temporal and Parker metrics on PARKER_METRICS_PORT', async () => {
    // The row is `downloaded` once finalize ran; the workflow counts the end in its next
    // task, a moment later (longer on a loaded machine): scrape until it shows.
    const finished = /^parker_downloads_finished_total\{.*result="downloaded".*\} 1$/m;
    const deadline = Date.now() + 10_000;
    let text = '';
    while (!finished.test((text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()))) {
      assert.ok(Date.now() < deadline, `no finished download counted in:\n${text.slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.match(text, finished);
    assert.match(text, /^temporal_worker_task_slots_used\{/m);
  });
});
