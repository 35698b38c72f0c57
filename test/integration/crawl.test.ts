import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { recordListing } from '../../src/db/listing.ts';
import { listVideos } from '../../src/db/videos.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker, uniqueName } from '../helpers/parker.ts';

// The crawl, end to end: a real feed over HTTP, real Temporal workflows, real MySQL rows
// and real files. The fixture server counts what was fetched.

const { server, parker } = await fixtureAndParker();

interface Channel {
  name: string;
  feedPath: string;
  items: FeedItem[];
  media: Map<string, Buffer>;
}

/** A channel with `count` episodes, the newest first, each with its own media file. */
function channelWith(count: number): Channel {
  const name = uniqueName('crawl');
  const channel: Channel = { name, feedPath: `/${name}/feed.xml`, items: [], media: new Map() };
  addEpisodes(channel, count);
  return channel;
}

function addEpisodes(channel: Channel, count: number): void {
  const start = channel.items.length;
  for (let i = start; i < start + count; i++) {
    const mediaPath = `/${channel.name}/ep${i}.mp3`;
    const body = mediaBytes(50_000 + i);
    channel.media.set(mediaPath, body);
    server.setMedia(mediaPath, { body, contentType: 'audio/mpeg', etag: `"${channel.name}-${i}"` });
    channel.items.unshift({
      guid: `${channel.name}-episode-${i}`,
      title: `Episode ${i}: "quotes" & <brackets>`,
      mediaUrl: server.url(mediaPath),
      publishedAt: new Date(Date.UTC(2024, 0, 1 + i)),
    });
  }
  server.setFeed(channel.feedPath, rssFeed(channel.name, channel.items));
}

function crawlInput(channel: Channel, backfill = 100) {
  return { channel: channel.name, url: server.url(channel.feedPath), backfill };
}

function fullFetches(channel: Channel): number {
  return [...channel.media.keys()].reduce((sum, mediaPath) => sum + server.stats(mediaPath).fullBodies, 0);
}

describe('crawl', () => {
  test('downloads exactly the new entries, into named files with the right bytes', async () => {
    const channel = channelWith(3);
    const summary = await runCrawl(parker, crawlInput(channel));
    assert.deepEqual(summary, { entries: 3, new: 3, started: 3, alreadyRunning: 0 });

    const videos = await settledVideos(parker.db, channel.name);
    assert.deepEqual(videos.map((v) => v.status), ['downloaded', 'downloaded', 'downloaded']);
    for (const video of videos) {
      const index = Number(video.externalId.split('-').pop());
      const expected = channel.media.get(`/${channel.name}/ep${index}.mp3`)!;
      assert.equal(video.bytes, expected.length);
      assert.equal(video.sha256, sha256(expected));
      assert.equal(sha256(await readFile(video.filePath!)), sha256(expected));
      assert.equal(
        path.basename(video.filePath!),
        `2024-01-0${1 + index} Episode ${index}_ _quotes_ & _brackets_ [${channel.name}-episode-${index}].mp3`,
      );
    }
    const files = await readdir(path.join(parker.downloadDir, channel.name));
    assert.equal(files.length, 3, `only finished files remain: ${files.join(', ')}`);
    assert.equal(fullFetches(channel), 3);
  });

  test('a second crawl downloads nothing; a feed that gains two entries yields exactly two downloads', async () => {
    const channel = channelWith(2);
    await runCrawl(parker, crawlInput(channel));
    await settledVideos(parker.db, channel.name);

    const again = await runCrawl(parker, crawlInput(channel));
    assert.deepEqual(again, { entries: 2, new: 0, started: 0, alreadyRunning: 0 });
    assert.equal(fullFetches(channel), 2);

    addEpisodes(channel, 2);
    const grown = await runCrawl(parker, crawlInput(channel));
    assert.deepEqual(grown, { entries: 4, new: 2, started: 2, alreadyRunning: 0 });
    const videos = await settledVideos(parker.db, channel.name);
    assert.equal(videos.filter((v) => v.status === 'downloaded').length, 4);
    assert.equal(fullFetches(channel), 4, 'each media file fetched exactly once');
  });

  test('the first crawl downloads only the newest `backfill` entries and records the rest as skipped', async () => {
    const channel = channelWith(5);
    const summary = await runCrawl(parker, crawlInput(channel, 2));
    assert.equal(summary.new, 5);
    assert.equal(summary.started, 2);
    const videos = await settledVideos(parker.db, channel.name);
    const byId = new Map(videos.map((v) => [v.externalId, v]));
    for (const i of [4, 3]) assert.equal(byId.get(`${channel.name}-episode-${i}`)?.status, 'downloaded');
    for (const i of [2, 1, 0]) {
      const video = byId.get(`${channel.name}-episode-${i}`)!;
      assert.equal(video.status, 'skipped');
      assert.match(video.reason!, /backfill/);
    }
    assert.equal(fullFetches(channel), 2);

    // Later crawls are not first crawls: a new entry is downloaded whatever the backfill.
    addEpisodes(channel, 1);
    const next = await runCrawl(parker, crawlInput(channel, 0));
    assert.equal(next.started, 1);
  });

  test('entries without a media link are recorded as skipped with the reason', async () => {
    const name = uniqueName('crawl');
    const feedPath = `/${name}/feed.xml`;
    server.setFeed(feedPath, rssFeed(name, [{ guid: `${name}-text-only`, title: 'Show notes only', publishedAt: new Date() }]));
    const summary = await runCrawl(parker, { channel: name, url: server.url(feedPath), backfill: 3 });
    assert.deepEqual(summary, { entries: 1, new: 1, started: 0, alreadyRunning: 0 });
    const [video] = await listVideos(parker.db, name);
    assert.equal(video?.status, 'skipped');
    assert.match(video!.reason!, /no downloadable media link/);
  });

  test('a video recorded by a crawl that died before starting its download is downloaded by the next crawl', async () => {
    const channel = channelWith(2);
    // What a crawl leaves behind when it dies right after recording: rows, no workflows.
    const { parseFeed } = await import('../../src/sources/feed-parser.ts');
    const xml = (await (await fetch(server.url(channel.feedPath))).text());
    await recordListing(parker.db, { name: channel.name, url: server.url(channel.feedPath) }, parseFeed(xml, server.url(channel.feedPath)), 100);

    const summary = await runCrawl(parker, crawlInput(channel));
    assert.equal(summary.new, 0, 'nothing is new to this crawl');
    assert.equal(summary.started, 2, 'yet it starts the downloads the dead crawl never started');
    const videos = await settledVideos(parker.db, channel.name);
    assert.deepEqual(videos.map((v) => v.status), ['downloaded', 'downloaded']);
  });

  test('two crawls of one channel at once download each video once', async () => {
    const channel = channelWith(3);
    const [first, second] = await Promise.all([runCrawl(parker, crawlInput(channel)), runCrawl(parker, crawlInput(channel))]);
    assert.equal(first.started + second.started, 3);
    await settledVideos(parker.db, channel.name);
    assert.equal(fullFetches(channel), 3);
  });
});
