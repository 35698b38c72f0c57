import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { connectDb, migrate } from '../../src/db/connect.ts';
import { listVideos } from '../../src/db/videos.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { channelOfPacedVideos } from '../helpers/channels.ts';
import { OwnMariaDb, OwnTemporal } from '../helpers/own-services.ts';
import { settledVideos, sha256, startParker, uniqueName, type TestParker } from '../helpers/parker.ts';

// The Temporal server and the database crash in the middle of a run and come back.
// The run finishes: every video downloaded once, right, and recorded once.

const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-restarts-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function assertAllDownloaded(parker: TestParker, run: ReturnType<typeof channelOfPacedVideos>, server: FixtureServer) {
  const videos = await settledVideos(parker.db, run.channel, 150_000);
  assert.equal(videos.length, run.bodies.size, 'one row per video, no duplicates');
  for (const video of videos) {
    assert.equal(video.status, 'downloaded', `${video.externalId}: ${video.reason}`);
    assert.equal(video.sha256, sha256(run.bodies.get(video.externalId)!));
    assert.equal(sha256(await readFile(video.filePath!)), video.sha256);
    assert.ok(server.stats(run.mediaPathOf(video.externalId)).fullBodies <= 1);
  }
}

describe('service restarts mid-run', () => {
  test('the Temporal server crashes and restarts on its database file: the run finishes', { timeout: 240_000 }, async (t) => {
    const server = await FixtureServer.start();
    const temporal = await OwnTemporal.start(mkdtempSync(path.join(scratch, 'temporal-')));
    t.after(async () => {
      await parker?.stop();
      await temporal.stop();
      await server.close();
    });
    const parker: TestParker = await startParker({
      temporal: { address: temporal.address, namespace: 'default', taskQueue: uniqueName('restart-queue') },
      maxDownloads: 2,
    });
    const run = channelOfPacedVideos(server, { prefix: 'tmprl', count: 6, size: 400_000, secondsPerFile: 1.5 });
    await parker.client.workflow.start(CRAWL_WORKFLOW, { taskQueue: parker.taskQueue, workflowId: uniqueName('crawl'), args: [run.input] });

    await pause(2000);
    await temporal.crash();
    await pause(2000);
    await temporal.restart();
    await assertAllDownloaded(parker, run, server);
  });

  test('MariaDB crashes and restarts: activities wait it out, the run finishes, no duplicate rows', { timeout: 240_000 }, async (t) => {
    const server = await FixtureServer.start();
    const mariadb = await OwnMariaDb.start(mkdtempSync(path.join(scratch, 'mariadb-')));
    const setup = connectDb(mariadb.url, scratch);
    await migrate(setup);
    await setup.destroy();
    t.after(async () => {
      await parker?.stop();
      await mariadb.stop();
      await server.close();
    });
    const parker: TestParker = await startParker({ databaseUrl: mariadb.url, maxDownloads: 2 });
    const run = channelOfPacedVideos(server, { prefix: 'mdb', count: 6, size: 400_000, secondsPerFile: 1.5 });
    await parker.client.workflow.start(CRAWL_WORKFLOW, { taskQueue: parker.taskQueue, workflowId: uniqueName('crawl'), args: [run.input] });

    await pause(2000);
    await mariadb.crash();
    await pause(4000);
    await mariadb.restart();
    await assertAllDownloaded(parker, run, server);
    assert.equal((await listVideos(parker.db, run.channel)).length, 6);
  });
});
