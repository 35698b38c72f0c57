import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, startParker, type TestParker } from '../helpers/parker.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { mountSmallDisk, type SmallDisk } from '../helpers/tmpfs.ts';

// The download folder fills up or turns read-only. The failing video says which path,
// leaves nothing under its final name, is not retried, and other channels go on.

let server: FixtureServer;
before(async () => {
  server = await FixtureServer.start();
});
after(async () => {
  await server?.close();
});

async function files(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

describe('storage faults', () => {
  let disk: SmallDisk;
  let parker: TestParker;
  after(async () => {
    await parker?.stop();
    await disk?.remove();
  });

  test('a full disk fails the big video with the path named, and a small one on another channel still lands', async () => {
    disk = await mountSmallDisk(1024 * 1024);
    parker = await startParker({ downloadDir: disk.dir });
    const big = podcastWithOneEpisode(server, { body: mediaBytes(3 * 1024 * 1024), contentType: 'audio/mpeg', etag: '"big"' });
    const small = mediaBytes(50_000);
    const other = podcastWithOneEpisode(server, { body: small, contentType: 'audio/mpeg' });

    await runCrawl(parker, big.input);
    const [failed] = await settledVideos(parker.db, big.channel);
    assert.equal(failed?.status, 'failed');
    assert.match(failed.reason!, /ENOSPC/);
    assert.ok(failed.reason!.includes(path.join(disk.dir, big.channel)), `the reason names the path: ${failed.reason}`);
    assert.equal(server.stats(big.mediaPath).requests, 1, 'a full disk is not retried');
    // The row is marked failed before the part is removed: wait for the workflow's end.
    await assert.rejects(parker.client.workflow.getHandle(videoWorkflowId(big.channel, big.externalId)).result());
    assert.deepEqual(await files(path.join(disk.dir, big.channel)), [], 'no half file, no part file');

    await runCrawl(parker, other.input);
    const [landed] = await settledVideos(parker.db, other.channel);
    assert.equal(landed?.status, 'downloaded', landed?.reason);
    assert.equal(landed.sha256, sha256(small));
  });
});

describe('a read-only download folder', () => {
  let disk: SmallDisk;
  let parker: TestParker;
  after(async () => {
    await parker?.stop();
    await disk?.remove();
  });

  test('fails clearly, naming the folder, without a retry', async () => {
    disk = await mountSmallDisk(1024 * 1024);
    await disk.makeReadOnly();
    parker = await startParker({ downloadDir: disk.dir });
    const episode = podcastWithOneEpisode(server, { body: mediaBytes(1000), contentType: 'audio/mpeg' });
    await runCrawl(parker, episode.input);
    const [video] = await settledVideos(parker.db, episode.channel);
    assert.equal(video?.status, 'failed');
    assert.match(video.reason!, /EROFS/);
    assert.ok(video.reason!.includes(disk.dir), `the reason names the folder: ${video.reason}`);
    assert.equal(server.stats(episode.mediaPath).requests, 0, 'nothing was fetched for a folder that cannot take it');
  });
});
