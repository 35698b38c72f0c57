import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fixtureAndParker, mediaBytes, runCrawl, settledVideos, sha256, uniqueName } from '../helpers/parker.ts';

// "Any other site yt-dlp knows": a channel URL that answers with a web page, not a feed,
// is listed by the real yt-dlp (--flat-playlist) and each video downloaded with it. The
// page here embeds its videos with HTML5 <video> tags, which yt-dlp's generic extractor
// reads; on 127.0.0.1, like everything in the tests.

const { server, parker } = await fixtureAndParker();

test('a web page with embedded videos is listed by yt-dlp, and each video is downloaded once, whole', { timeout: 120_000 }, async () => {
  const channel = uniqueName('site');
  const first = mediaBytes(30_000);
  const second = mediaBytes(40_000);
  server.setMedia(`/${channel}/first.mp4`, { body: first, contentType: 'video/mp4' });
  server.setMedia(`/${channel}/second.mp4`, { body: second, contentType: 'video/mp4' });
  server.setPage(
    `/${channel}/videos.html`,
    `<html><head><title>A video site</title></head><body>
<video src="first.mp4" title="First"></video>
<video src="second.mp4" title="Second"></video>
</body></html>`,
  );

  const summary = await runCrawl(parker, { channel, url: server.url(`/${channel}/videos.html`), backfill: 10 });
  assert.equal(summary.entries, 2);
  assert.equal(summary.started, 2);
  const videos = await settledVideos(parker.db, channel);
  assert.deepEqual(videos.map((video) => video.status), ['downloaded', 'downloaded'], videos.map((v) => v.reason).join('; '));
  const hashes = new Set(await Promise.all(videos.map(async (video) => sha256(await readFile(video.filePath!)))));
  assert.deepEqual(hashes, new Set([sha256(first), sha256(second)]), 'each embedded video, not the page twice');
});
