import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { connectDb, type Db } from '../../src/db/connect.ts';
import { listVideos } from '../../src/db/videos.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { channelOfPacedVideos } from '../helpers/channels.ts';
import { settledVideos, sha256, testSettings, uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';

// The worker is killed with SIGKILL at random moments, again and again, while crawls and
// downloads of a channel with many videos are under way. At the end every video is
// downloaded, each file was sent whole at most once, every hash is right, and nothing
// is left half-done. PARKER_KILL_LOOPS sets the number of kills (5 by default, 20 for
// the full run: PARKER_KILL_LOOPS=20 npx tsx test/run.ts test/integration/kill-loop.test.ts).

const KILLS = Number(process.env.PARKER_KILL_LOOPS ?? 5);
const VIDEOS = 12;
const SIZE = 600_000;

let server: FixtureServer;
let db: Db;
let connection: Connection;
let scratch: string;
let worker: WorkerProcess | undefined;

before(async () => {
  server = await FixtureServer.start();
  db = connectDb(services.databaseUrl, os.tmpdir());
  connection = await Connection.connect({ address: services.temporalAddress });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-kill-loop-'));
});
after(async () => {
  await worker?.kill('SIGKILL');
  await connection?.close();
  await db?.destroy();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`SIGKILL at random points, ${KILLS} times: every video downloaded once, whole and right`, { timeout: 60_000 + KILLS * 30_000 }, async () => {
  const settings = { ...testSettings(scratch), maxDownloads: 3 };
  // About two seconds per file, so that kills land in the middle of transfers.
  const { channel, input, bodies, mediaPathOf } = channelOfPacedVideos(server, { prefix: 'killloop', count: VIDEOS, size: SIZE, secondsPerFile: 2 });
  const client = new Client({ connection });
  const crawl = () =>
    client.workflow.start(CRAWL_WORKFLOW, { taskQueue: settings.temporal.taskQueue, workflowId: uniqueName('kill-loop-crawl'), args: [input] });

  for (let kill = 0; kill < KILLS; kill++) {
    worker = await startWorkerProcess(settings);
    // Crawls too are interrupted: a schedule would start one every so often.
    if (kill % 2 === 0) await crawl();
    await pause(300 + Math.random() * 3000);
    await worker.kill('SIGKILL');
  }
  worker = await startWorkerProcess(settings);
  await crawl();
  const videos = await settledVideos(db, channel, 180_000);

  assert.equal(videos.length, VIDEOS);
  for (const video of videos) {
    assert.equal(video.status, 'downloaded', `${video.externalId}: ${video.reason}`);
    const body = bodies.get(video.externalId)!;
    assert.equal(video.sha256, sha256(body), `${video.externalId} has the server's bytes`);
    assert.equal(sha256(await readFile(video.filePath!)), sha256(body));
    const stats = server.stats(mediaPathOf(video.externalId));
    assert.ok(stats.fullBodies <= 1, `${video.externalId} was sent whole ${stats.fullBodies} times`);
  }
  const files = await readdir(path.join(settings.downloadDir, channel));
  assert.deepEqual(files.filter((name) => !name.endsWith('.mp4')), [], 'no part file or resume record is left');
  assert.equal(files.length, VIDEOS, 'one file per video');
  assert.equal((await listVideos(db, channel)).filter((video) => video.status === 'downloading').length, 0);
});
