import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseChannelList } from '../../src/config/channels.ts';
import { listVideos } from '../../src/db/videos.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { crawlInputFor } from '../../src/temporal/channel-schedules.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker, uniqueName } from '../helpers/parker.ts';

// A channel's filters end to end: channels.yaml → the crawl input a schedule would pass
// → a real crawl over HTTP → rows in MariaDB and files on disk. Filtered entries are
// recorded as skipped with the rule that skipped them, and their media is never fetched.

const { server, parker } = await fixtureAndParker();

describe('channel filters', () => {
  test('a crawl records filtered videos as skipped with the rule and downloads only the rest', async () => {
    const name = uniqueName('filters');
    const episodes: Array<{ id: string; title: string; day: string; duration?: string }> = [
      { id: 'trailer', title: 'Trailer for season 2', day: '2024-03-06', duration: '2:00' },
      { id: 'too-short', title: 'Episode 5', day: '2024-03-05', duration: '30' },
      { id: 'too-long', title: 'Episode 4', day: '2024-03-04', duration: '3:00:00' },
      { id: 'no-length', title: 'Episode 3', day: '2024-03-03' }, // unknown length: not filtered by duration
      { id: 'fits', title: 'Episode 2', day: '2024-03-02', duration: '10:00' },
      { id: 'beyond-max', title: 'Episode 1', day: '2024-03-01', duration: '10:00' },
      { id: 'too-old', title: 'Episode 0', day: '2023-12-31', duration: '10:00' },
    ];
    const media = new Map<string, Buffer>();
    const items: FeedItem[] = episodes.map((episode) => {
      const mediaPath = `/${name}/${episode.id}.mp3`;
      const body = mediaBytes(20_000);
      media.set(episode.id, body);
      server.setMedia(mediaPath, { body, contentType: 'audio/mpeg', etag: `"${episode.id}"` });
      return {
        guid: `${name}-${episode.id}`,
        title: episode.title,
        mediaUrl: server.url(mediaPath),
        publishedAt: new Date(`${episode.day}T12:00:00Z`),
        ...(episode.duration ? { duration: episode.duration } : {}),
      };
    });
    server.setFeed(`/${name}/feed.xml`, rssFeed(name, items));

    const list = parseChannelList(
      `channels:
  - name: ${name}
    url: ${server.url(`/${name}/feed.xml`)}
    backfill: 100
    filters:
      title_exclude: '^trailer'
      min_duration: 1m
      max_duration: 1h
      published_after: 2024-01-01
      max_items: 2
`,
      'channels.yaml',
    );
    assert.deepEqual(list.problems, []);
    const input = crawlInputFor(list.channels[0]!);
    // What the schedule stores and passes: plain JSON a person could type.
    assert.deepEqual(JSON.parse(JSON.stringify(input.rules)), {
      titleExclude: '^trailer',
      minDurationSeconds: 60,
      maxDurationSeconds: 3600,
      publishedAfter: '2024-01-01',
      maxItems: 2,
    });

    const summary = await runCrawl(parker, input);
    assert.deepEqual(summary, { entries: 7, new: 7, started: 2, alreadyRunning: 0 });
    const videos = await settledVideos(parker.db, name);
    const byId = Object.fromEntries(videos.map((v) => [v.externalId.slice(name.length + 1), { status: v.status, reason: v.reason }]));
    assert.deepEqual(byId, {
      trailer: { status: 'skipped', reason: 'filter: title matches /^trailer/ (title_exclude)' },
      'too-short': { status: 'skipped', reason: 'filter: 0:30 long, shorter than min_duration 1:00' },
      'too-long': { status: 'skipped', reason: 'filter: 3:00:00 long, longer than max_duration 1:00:00' },
      'no-length': { status: 'downloaded', reason: undefined },
      fits: { status: 'downloaded', reason: undefined },
      'beyond-max': { status: 'skipped', reason: 'filter: older than the newest 2 (max_items)' },
      'too-old': { status: 'skipped', reason: 'filter: published 2023-12-31, before published_after 2024-01-01' },
    });
    for (const video of videos.filter((v) => v.status === 'downloaded')) {
      assert.equal(video.sha256, sha256(media.get(video.externalId.slice(name.length + 1))!));
    }
    for (const episode of episodes) {
      const fetched = server.stats(`/${name}/${episode.id}.mp3`).requests;
      assert.equal(fetched > 0, byId[episode.id]!.status === 'downloaded', `${episode.id} fetched ${fetched} times`);
    }
    assert.equal((await readdir(path.join(parker.downloadDir, name))).length, 2);

    // A later crawl judges only what is new: a new episode is the newest, so it is
    // downloaded, and the rows already recorded keep their status.
    const newest: FeedItem = { guid: `${name}-new`, title: 'Episode 6', mediaUrl: server.url(`/${name}/fits.mp3`), publishedAt: new Date('2024-03-07T12:00:00Z'), duration: '5:00' };
    server.setFeed(`/${name}/feed.xml`, rssFeed(name, [newest, ...items]));
    const next = await runCrawl(parker, input);
    assert.equal(next.new, 1);
    assert.equal(next.started, 1);
    const after = await settledVideos(parker.db, name);
    assert.equal(after.find((v) => v.externalId === `${name}-new`)?.status, 'downloaded');
    assert.equal(after.filter((v) => v.status === 'downloaded').length, 3, 'the earlier downloads stay downloaded');
  });

  test('rules typed by hand into a crawl input that do not compile fail the crawl at once, naming the field', async () => {
    const name = uniqueName('badrules');
    server.setFeed(`/${name}/feed.xml`, rssFeed(name, [{ guid: `${name}-a`, title: 'A', mediaUrl: server.url(`/${name}/a.mp3`), publishedAt: new Date() }]));
    const started = Date.now();
    await assert.rejects(
      runCrawl(parker, { channel: name, url: server.url(`/${name}/feed.xml`), backfill: 3, rules: { titleInclude: '(' } }),
      (error: unknown) => {
        const cause = (error as { cause?: { cause?: { type?: string; message?: string } } }).cause?.cause;
        assert.equal(cause?.type, 'InvalidRules', String(error));
        assert.match(cause?.message ?? '', /^rules\.titleInclude: not a valid regular expression/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 20_000, 'not retried like a database outage');
    assert.deepEqual(await listVideos(parker.db, name), [], 'nothing recorded');
  });
});
