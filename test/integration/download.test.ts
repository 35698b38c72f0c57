import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker } from '../helpers/parker.ts';

// The download workflow against a server that misbehaves on purpose. Each test checks
// the end state a user sees (row, file, bytes) and what the server was asked.

const { server, parker } = await fixtureAndParker();

async function downloadOnce(episode: ReturnType<typeof podcastWithOneEpisode>) {
  await runCrawl(parker, episode.input);
  const [video] = await settledVideos(parker.db, episode.channel);
  assert.ok(video, 'the episode was recorded');
  return video;
}

async function channelFiles(channel: string): Promise<string[]> {
  try {
    return await readdir(path.join(parker.downloadDir, channel));
  } catch {
    return [];
  }
}

describe('download', () => {
  test('404 marks the video failed without a retry and leaves no file', async () => {
    const body = mediaBytes(10_000);
    const episode = podcastWithOneEpisode(server, { body, contentType: 'audio/mpeg' }, { faults: [{ kind: 'status', status: 404 }] });
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'failed');
    assert.match(video.reason!, /HTTP 404/);
    assert.equal(server.stats(episode.mediaPath).requests, 1, 'a 404 is not retried');
    assert.deepEqual(await channelFiles(episode.channel), []);
  });

  test('410 Gone is final too', async () => {
    const episode = podcastWithOneEpisode(server, { body: mediaBytes(1000), contentType: 'audio/mpeg' }, { faults: [{ kind: 'status', status: 410 }] });
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'failed');
    assert.equal(server.stats(episode.mediaPath).requests, 1);
  });

  test('an HTML page where media was expected fails as not media, without a retry', async () => {
    const episode = podcastWithOneEpisode(server, { body: Buffer.from('<html>login</html>'), contentType: 'text/html' });
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'failed');
    assert.match(video.reason!, /text\/html.*not audio or video/);
    assert.equal(server.stats(episode.mediaPath).requests, 1);
    assert.deepEqual(await channelFiles(episode.channel), []);
  });

  test('500 twice then 200: retried with backoff, downloaded once', async () => {
    const body = mediaBytes(120_000);
    const episode = podcastWithOneEpisode(
      server,
      { body, contentType: 'audio/mpeg', etag: '"v1"' },
      { faults: [{ kind: 'status', status: 500 }, { kind: 'status', status: 500 }] },
    );
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'downloaded');
    assert.equal(video.sha256, sha256(body));
    assert.equal(server.stats(episode.mediaPath).requests, 3);
    assert.equal(server.stats(episode.mediaPath).fullBodies, 1);
  });

  test('a connection cut mid-body is resumed with a Range request and the file is right', async () => {
    const body = mediaBytes(400_000);
    const episode = podcastWithOneEpisode(
      server,
      { body, contentType: 'audio/mpeg', etag: '"resume-me"' },
      // A clean close after 150 kB: unlike a reset, it cannot discard bytes the client has
      // not read yet, so the retry always has a part to resume.
      { faults: [{ kind: 'short', bytes: 150_000 }] },
    );
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'downloaded');
    assert.equal(video.bytes, body.length);
    assert.equal(video.sha256, sha256(body));
    assert.equal(sha256(await readFile(video.filePath!)), sha256(body));

    const stats = server.stats(episode.mediaPath);
    assert.equal(stats.requests, 2);
    const retry = stats.requestHeaders[1]!;
    assert.match(String(retry.range), /^bytes=[1-9]\d*-$/, 'the retry asks for the rest');
    assert.equal(retry['if-range'], '"resume-me"');
    assert.equal(stats.partialBodies, 1);
    assert.equal(stats.fullBodies, 0, 'the whole file was never sent twice');
    assert.deepEqual(await channelFiles(episode.channel), [path.basename(video.filePath!)]);
  });

  test('a server that ignores Range: the retry starts again from zero and the file is right', async () => {
    const body = mediaBytes(300_000);
    const episode = podcastWithOneEpisode(
      server,
      { body, contentType: 'audio/mpeg', etag: '"no-ranges"', ignoreRange: true },
      { faults: [{ kind: 'cut', afterBytes: 100_000 }] },
    );
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'downloaded');
    assert.equal(video.bytes, body.length);
    assert.equal(video.sha256, sha256(body));
    assert.equal(server.stats(episode.mediaPath).fullBodies, 1);
  });

  test('a file that changed between attempts is downloaded again from zero, never spliced', async () => {
    const oldBody = mediaBytes(300_000);
    const newBody = mediaBytes(320_000);
    const episode = podcastWithOneEpisode(
      server,
      { body: oldBody, contentType: 'audio/mpeg', etag: '"old"' },
      { faults: [{ kind: 'short', bytes: 100_000, thenServe: { body: newBody, contentType: 'audio/mpeg', etag: '"new"' } }] },
    );
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'downloaded');
    assert.equal(video.sha256, sha256(newBody));
    assert.equal(sha256(await readFile(video.filePath!)), sha256(newBody));
    const retry = server.stats(episode.mediaPath).requestHeaders[1]!;
    assert.equal(retry['if-range'], '"old"', 'the resume was conditional on the old version');
  });

  test('without a validator there is no resume: the retry fetches the whole file', async () => {
    const body = mediaBytes(200_000);
    const episode = podcastWithOneEpisode(server, { body, contentType: 'audio/mpeg' }, { faults: [{ kind: 'cut', afterBytes: 50_000 }] });
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'downloaded');
    assert.equal(video.sha256, sha256(body));
    assert.equal(server.stats(episode.mediaPath).requestHeaders[1]!.range, undefined);
  });

  test('the extension comes from the allow-list: an .exe link served as video/mp4 is saved as .mp4', async () => {
    const body = mediaBytes(5_000);
    const episode = podcastWithOneEpisode(server, { body, contentType: 'video/mp4' }, { mediaType: 'application/x-msdownload', extension: 'exe' });
    const video = await downloadOnce(episode);
    assert.equal(video.status, 'downloaded');
    assert.match(video.filePath!, /\[[^\]]+\]\.mp4$/);
  });
});
