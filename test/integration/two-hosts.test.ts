import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { channelOfPacedVideos } from '../helpers/channels.ts';
import { settledVideos, sha256, startParker, uniqueName, type TestParker } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

// Two workers, each with a download folder of its own, sharing one task queue. A transfer
// is pinned to the host that claimed it: a host that restarts resumes its own part files;
// a host that goes away for good has its transfers started over, cleanly, on the other.

let server: FixtureServer;
before(async () => {
  server = await FixtureServer.start();
});
after(async () => {
  await server?.close();
});

async function filesIn(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

describe('two hosts with separate download folders', () => {
  const running: TestParker[] = [];
  after(async () => {
    for (const parker of running) await parker.stop().catch(() => {});
  });

  test('every video lands whole in exactly one folder, and the row names that file', { timeout: 120_000 }, async () => {
    const taskQueue = uniqueName('two-hosts');
    const first = await startParkerOn(taskQueue);
    const second = await startParkerOn(taskQueue);
    running.push(first, second);
    assert.notEqual(first.settings.hostId, second.settings.hostId);

    const run = channelOfPacedVideos(server, { prefix: 'hosts', count: 8, size: 200_000, secondsPerFile: 0.5 });
    await first.client.workflow.start(CRAWL_WORKFLOW, { taskQueue, workflowId: uniqueName('crawl'), args: [run.input] });
    const videos = await settledVideos(first.db, run.channel);
    const perHost = new Map<string, number>();
    for (const video of videos) {
      assert.equal(video.status, 'downloaded', video.reason);
      assert.equal(sha256(await readFile(video.filePath!)), sha256(run.bodies.get(video.externalId)!));
      const owner = [first, second].find((parker) => video.filePath!.startsWith(parker.downloadDir + path.sep));
      assert.ok(owner, `${video.filePath} is in one of the two folders`);
      perHost.set(owner.settings.hostId, (perHost.get(owner.settings.hostId) ?? 0) + 1);
    }
    const inFolders = [
      ...(await filesIn(path.join(first.downloadDir, run.channel))),
      ...(await filesIn(path.join(second.downloadDir, run.channel))),
    ];
    assert.equal(inFolders.length, 8, `each video once, nothing else: ${inFolders.join(', ')}`);
    assert.equal(perHost.size, 2, 'both hosts took transfers');
  });

  test('a host that goes away for good: its transfers start over on the other host and finish', { timeout: 180_000 }, async () => {
    const taskQueue = uniqueName('failover');
    const leaving = await startParkerOn(taskQueue);
    const run = channelOfPacedVideos(server, { prefix: 'failover', count: 4, size: 2_000_000, secondsPerFile: 20 });
    await leaving.client.workflow.start(CRAWL_WORKFLOW, { taskQueue, workflowId: uniqueName('crawl'), args: [run.input] });
    // Let the only host claim transfers and write part of them, then take it away.
    const leavingFolder = path.join(leaving.downloadDir, run.channel);
    const deadline = Date.now() + 30_000;
    while ((await filesIn(leavingFolder)).filter((name) => name.endsWith('.part')).length === 0) {
      assert.ok(Date.now() < deadline, 'the first host never started a transfer');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await leaving.stop();
    // The files are served fast from now on, so the test waits for the failover, not for bytes.
    for (const [externalId, body] of run.bodies) {
      server.setMedia(run.mediaPathOf(externalId), { body, contentType: 'video/mp4', etag: '"fast"' });
    }
    const staying = await startParkerOn(taskQueue);
    running.push(staying);

    const videos = await settledVideos(staying.db, run.channel, 150_000);
    for (const video of videos) {
      assert.equal(video.status, 'downloaded', video.reason);
      assert.ok(video.filePath!.startsWith(staying.downloadDir + path.sep), `${video.filePath} is on the host that stayed`);
      assert.equal(sha256(await readFile(video.filePath!)), sha256(run.bodies.get(video.externalId)!));
    }
    assert.deepEqual(
      (await filesIn(path.join(staying.downloadDir, run.channel))).filter((name) => !name.endsWith('.mp4')),
      [],
      'no part file is left on the host that finished them',
    );
  });
});

/** A worker on the shared task queue, with a download folder (and so a host id) of its own. */
function startParkerOn(taskQueue: string): Promise<TestParker> {
  return startParker({ temporal: { address: services.temporalAddress, namespace: 'default', taskQueue } });
}
