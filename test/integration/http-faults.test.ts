import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Fault } from '../helpers/fixture-server.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker } from '../helpers/parker.ts';

// A server that breaks the transfer in every way we know of. Whatever it does, a video
// marked downloaded holds exactly the server's file, and nothing else is left behind.

const { server, parker } = await fixtureAndParker();

const SIZE = 256 * 1024;

async function downloadWith(faults: Fault[], options: { etag?: string } = { etag: '"v1"' }) {
  const body = mediaBytes(SIZE);
  const episode = podcastWithOneEpisode(server, { body, contentType: 'audio/mpeg', etag: options.etag }, { faults });
  await runCrawl(parker, episode.input);
  const [video] = await settledVideos(parker.db, episode.channel);
  assert.ok(video);
  return { body, episode, video };
}

async function assertServersFile(video: { status: string; filePath?: string; sha256?: string; bytes?: number; reason?: string }, body: Buffer) {
  assert.equal(video.status, 'downloaded', video.reason);
  assert.equal(video.bytes, body.length);
  assert.equal(video.sha256, sha256(body));
  assert.equal(sha256(await readFile(video.filePath!)), sha256(body));
  const left = await readdir(path.dirname(video.filePath!));
  assert.deepEqual(left, [path.basename(video.filePath!)], 'no part file or resume record is left');
}

describe('HTTP faults during a transfer', () => {
  // Offsets at the edges (nothing sent, one byte, all but one, everything) and in between.
  const offsets = [0, 1, 4096, SIZE / 2, SIZE - 1, SIZE, Math.floor(Math.random() * SIZE)];
  for (const offset of offsets) {
    test(`the connection dropped after ${offset} of ${SIZE} bytes`, async () => {
      const { body, video } = await downloadWith([{ kind: 'cut', afterBytes: offset }]);
      await assertServersFile(video, body);
    });
  }

  test('drops on three attempts in a row, at different offsets', async () => {
    const { body, video, episode } = await downloadWith([
      { kind: 'cut', afterBytes: 10_000 },
      { kind: 'cut', afterBytes: 50_000 },
      { kind: 'cut', afterBytes: 30_000 },
    ]);
    await assertServersFile(video, body);
    assert.equal(server.stats(episode.mediaPath).fullBodies, 0, 'every retry resumed');
  });

  test('a body shorter than its Content-Length, closed cleanly, is not taken as the file', async () => {
    const { body, video } = await downloadWith([{ kind: 'short', bytes: SIZE - 100 }]);
    await assertServersFile(video, body);
  });

  test('a body longer than its Content-Length is not taken as the file', async () => {
    const { body, video } = await downloadWith([{ kind: 'long', extraBytes: 5000 }]);
    await assertServersFile(video, body);
  });

  test('416 on a resume: the part is dropped and the file fetched again whole', async () => {
    const { body, video } = await downloadWith([
      { kind: 'cut', afterBytes: 20_000 },
      { kind: 'status', status: 416 },
    ]);
    await assertServersFile(video, body);
  });

  test('a cut after the whole body arrived is not fetched again', async () => {
    const { body, video, episode } = await downloadWith([{ kind: 'cut', afterBytes: SIZE }]);
    await assertServersFile(video, body);
    assert.ok(server.stats(episode.mediaPath).requests <= 2);
  });
});
