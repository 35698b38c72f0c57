import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { createYtDlpSource } from '../../src/sources/ytdlp.ts';
import { fixtureAndParker, mediaBytes, runCrawl, settledVideos, sha256, uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

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

test('the real yt-dlp lists a long page a stretch at a time, as a backfill asks for it', { timeout: 60_000 }, async () => {
  const channel = uniqueName('long-site');
  const videos = Array.from({ length: 25 }, (_, index) => `clip${String(index + 1).padStart(2, '0')}.mp4`);
  server.setPage(
    `/${channel}/videos.html`,
    `<html><head><title>A long video site</title></head><body>
${videos.map((file) => `<video src="${file}"></video>`).join('\n')}
</body></html>`,
  );
  const source = createYtDlpSource({ binary: services.ytdlp });
  const url = server.url(`/${channel}/videos.html`);
  const pages = [];
  for (const from of [1, 11, 21]) pages.push(await source.listPage!({ url, state: {}, from, count: 10 }));
  assert.deepEqual(
    pages.map((page) => ({ listed: page.listed, ended: page.ended })),
    [
      { listed: 10, ended: false },
      { listed: 10, ended: false },
      { listed: 5, ended: true },
    ],
  );
  const listed = pages.flatMap((page) => page.entries.map((entry) => entry.mediaUrl));
  assert.deepEqual(listed, videos.map((file) => server.url(`/${channel}/${file}`)), 'each video once, in page order');
});
