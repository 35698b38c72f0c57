import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { listVideos } from '../../src/db/videos.ts';
import { serveYoutubeChannel, type FixtureYoutubeVideo } from '../helpers/fixture-youtube.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker, uniqueName } from '../helpers/parker.ts';

// YouTube channels end to end: the fixture server plays YouTube (YOUTUBE_BASE_URL points
// at it, so the www.youtube.com URLs below never leave 127.0.0.1), the real yt-dlp
// downloads each watch page, real Temporal and MariaDB keep the state.

const { server, parker } = await fixtureAndParker((fixture) => ({ youtubeBaseUrl: fixture.origin }));

/** A channel id unique to the test: `UC` and 22 characters. */
function channelId(): string {
  return `UC${uniqueName('x').replace(/[^A-Za-z0-9]/g, '').padEnd(22, '0').slice(0, 22)}`;
}

function video(id: string, day: number, extra: Partial<FixtureYoutubeVideo> = {}): FixtureYoutubeVideo {
  return { id, title: `Video ${id}`, publishedAt: new Date(Date.UTC(2025, 2, day)), body: mediaBytes(150_000 + day), ...extra };
}

async function channelRow(name: string) {
  return parker.db('channels').where({ name }).first();
}

describe('YouTube channels', () => {
  test('a handle is resolved once, new videos come from the feed, yt-dlp downloads them, and a 304 writes nothing', async () => {
    const name = uniqueName('yt');
    const id = channelId();
    const handle = `h${name.replace(/-/g, '')}`;
    const channel = serveYoutubeChannel(server, {
      channelId: id,
      handle,
      title: 'Fixture channel',
      videos: [video(`${name.slice(-8)}-a1`, 2), video(`${name.slice(-8)}-s2`, 3, { short: true })],
    });
    const input = { channel: name, url: `https://www.youtube.com/@${handle}`, backfill: 10 };

    const first = await runCrawl(parker, input);
    assert.deepEqual(first, { entries: 2, new: 2, started: 2, alreadyRunning: 0 });
    const videos = await settledVideos(parker.db, name);
    for (const row of videos) {
      const served = channel.videos.find((v) => v.id === row.externalId)!;
      assert.equal(row.status, 'downloaded', row.reason);
      assert.equal(row.downloader, 'ytdlp');
      assert.equal(row.mediaUrl, `${server.origin}/watch?v=${served.id}`, 'downloads go to the base URL, never to youtube.com');
      assert.equal(row.sha256, sha256(served.body));
      assert.equal(sha256(await readFile(row.filePath!)), sha256(served.body));
      assert.equal(path.basename(row.filePath!), `${served.publishedAt.toISOString().slice(0, 10)} ${served.title} [${served.id}].mp4`);
    }
    assert.equal((await channelRow(name)).resolved_id, id, 'the resolved channel id is stored');

    // Nothing new: the feed answers 304 to the stored ETag, and nothing is written.
    const rowsBefore = await listVideos(parker.db, name);
    const channelBefore = await channelRow(name);
    const second = await runCrawl(parker, input);
    assert.deepEqual(second, { entries: 0, new: 0, started: 0, alreadyRunning: 0, notModified: true });
    assert.equal(server.stats(channel.feedPath).notModified, 1);
    assert.deepEqual(await listVideos(parker.db, name), rowsBefore);
    assert.deepEqual(await channelRow(name), channelBefore, 'not even last_crawled_at moves on a 304');

    // A new video: a new ETag, one more download; the handle is still not looked up again.
    channel.videos.unshift(video(`${name.slice(-8)}-n3`, 4));
    channel.publish();
    const third = await runCrawl(parker, input);
    assert.equal(third.new, 1);
    assert.equal((await settledVideos(parker.db, name)).filter((v) => v.status === 'downloaded').length, 3);
    assert.equal(server.stats(`/@${handle}`).requests, 1, 'the channel page was read once');
  });

  test('include: { shorts: false } records the channel\'s Shorts as skipped and downloads the rest', async () => {
    const name = uniqueName('ytshorts');
    const id = channelId();
    serveYoutubeChannel(server, {
      channelId: id,
      handle: 'unused',
      title: 'Shorts and videos',
      videos: [video(`${name.slice(-8)}-v1`, 6), video(`${name.slice(-8)}-s1`, 7, { short: true })],
    });
    const summary = await runCrawl(parker, { channel: name, url: `https://www.youtube.com/channel/${id}`, backfill: 10, rules: { shorts: false } });
    assert.deepEqual(summary, { entries: 2, new: 2, started: 1, alreadyRunning: 0 });
    const rows = await settledVideos(parker.db, name);
    const byId = Object.fromEntries(rows.map((row) => [row.externalId.slice(-2), { status: row.status, reason: row.reason }]));
    assert.deepEqual(byId, {
      v1: { status: 'downloaded', reason: undefined },
      s1: { status: 'skipped', reason: 'filter: shorts excluded' },
    });
    assert.ok(server.stats(`/watch?v=${name.slice(-8)}-v1`).requests > 0, 'yt-dlp fetched the video');
    assert.equal(server.stats(`/watch?v=${name.slice(-8)}-s1`).requests, 0, 'yt-dlp never fetched the Short');
  });

  test('channel id URLs and playlists use their feeds directly', async () => {
    const id = channelId();
    const playlistId = `PL${id.slice(2)}`;
    serveYoutubeChannel(server, { channelId: id, handle: 'unused', title: 'T', videos: [video(`p${id.slice(-9)}`, 5)], playlistId });
    for (const url of [`https://www.youtube.com/channel/${id}/videos`, `https://www.youtube.com/playlist?list=${playlistId}`]) {
      const name = uniqueName('ytid');
      const summary = await runCrawl(parker, { channel: name, url, backfill: 10 });
      assert.equal(summary.entries, 1, url);
      const [row] = await settledVideos(parker.db, name);
      assert.equal(row?.status, 'downloaded', `${url}: ${row?.reason}`);
      assert.equal((await channelRow(name)).resolved_id, null, 'nothing to resolve');
    }
    assert.equal(server.stats(`/feeds/videos.xml?playlist_id=${playlistId}`).requests, 1);
  });

  test('a video the site refuses is failed with the reason from yt-dlp, not retried', async () => {
    const name = uniqueName('ytgone');
    const id = channelId();
    const gone = video(`g${id.slice(-9)}`, 6);
    serveYoutubeChannel(server, { channelId: id, handle: 'unused2', title: 'T', videos: [gone] });
    server.addFaults(`/watch?v=${gone.id}`, ...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 404 })));
    await runCrawl(parker, { channel: name, url: `https://www.youtube.com/channel/${id}`, backfill: 10 });
    const [row] = await settledVideos(parker.db, name);
    assert.equal(row?.status, 'failed');
    assert.match(row!.reason!, /^removed: .*HTTP Error 404/);
    assert.ok(server.stats(`/watch?v=${gone.id}`).requests <= 2, 'one attempt (yt-dlp asks at most twice)');
  });
});
