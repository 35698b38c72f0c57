import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, startParker, waitFor, type TestParker } from '../helpers/parker.ts';
import { getVideo } from '../../src/db/videos.ts';
import { mountSmallDisk, type SmallDisk } from '../helpers/tmpfs.ts';

// The download folder fills up or turns read-only. A full one pauses the host's transfers
// on durable timers until space is back; a read-only one fails the video, naming the path,
// without a retry.

let server: FixtureServer;
before(async () => {
  server = await FixtureServer.start();
});
after(async () => {
  await server?.close();
});

describe('storage faults', () => {
  let disk: SmallDisk;
  let parker: TestParker;
  after(async () => {
    await parker?.stop();
    await disk?.remove();
  });

  test('a full disk pauses the transfers, durably; once space is freed the video lands, and so does another channel\'s', async () => {
    disk = await mountSmallDisk(1024 * 1024);
    parker = await startParker({ downloadDir: disk.dir });
    const filler = path.join(disk.dir, 'filler.bin');
    await writeFile(filler, mediaBytes(700 * 1024));
    const bigBody = mediaBytes(600 * 1024);
    const big = podcastWithOneEpisode(server, { body: bigBody, contentType: 'audio/mpeg', etag: '"big"' });
    const small = mediaBytes(50_000);
    const other = podcastWithOneEpisode(server, { body: small, contentType: 'audio/mpeg' });

    await runCrawl(parker, big.input);
    const pause = await waitFor(
      async () => (await parker.db('disk_full_pauses').where({ host_id: parker.settings.hostId }).first()) as { reason: string } | undefined,
      'the host paused as full',
    );
    assert.match(pause.reason, /ENOSPC/);
    assert.ok(pause.reason.includes(path.join(disk.dir, big.channel)), `the reason names the path: ${pause.reason}`);
    const waiting = await getVideo(parker.db, { channel: big.channel, externalId: big.externalId });
    assert.equal(waiting?.status, 'downloading', 'a full disk does not fail the video: it waits');

    // The other channel's crawl starts its download; it waits out the host's pause too.
    await runCrawl(parker, other.input);
    await rm(filler);
    const [landed] = await settledVideos(parker.db, big.channel);
    assert.equal(landed?.status, 'downloaded', landed?.reason);
    assert.equal(landed.sha256, sha256(bigBody));
    const [otherLanded] = await settledVideos(parker.db, other.channel);
    assert.equal(otherLanded?.status, 'downloaded', otherLanded?.reason);
    assert.equal(otherLanded.sha256, sha256(small));
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
    assert.equal(video.failureKind, 'permanent', 'a folder Parker may not write needs a person');
    assert.ok(video.reason!.includes(disk.dir), `the reason names the folder: ${video.reason}`);
    assert.equal(server.stats(episode.mediaPath).requests, 0, 'nothing was fetched for a folder that cannot take it');
  });
});
