import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { recordListing } from '../../src/db/listing.ts';
import { listVideos, markDownloaded } from '../../src/db/videos.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { MAINTENANCE_WORKFLOW } from '../../src/shared/names.ts';
import type { MaintenanceInput, MaintenanceReport } from '../../src/shared/maintenance.ts';
import { mediaBytes, runCrawl, settledVideos, startParker, uniqueName, type TestParker } from '../helpers/parker.ts';

// Retention end to end: real downloads through Temporal and MariaDB, then the maintenance
// workflow, dry and for real, and a crawl afterwards that must not fetch anything again.

let server: FixtureServer;
let parker: TestParker;
let outsideDir: string;

before(async () => {
  server = await FixtureServer.start();
  parker = await startParker();
  outsideDir = mkdtempSync(path.join(os.tmpdir(), 'parker-outside-'));
});
after(async () => {
  await parker?.stop();
  await server?.close();
  rmSync(outsideDir, { recursive: true, force: true });
});

/** A podcast of `count` episodes published on consecutive days, downloaded in full. */
async function downloadedChannel(count: number) {
  const name = uniqueName('keep');
  const items: FeedItem[] = [];
  const mediaPaths: string[] = [];
  for (let i = 0; i < count; i++) {
    const mediaPath = `/${name}/ep${i}.mp3`;
    server.setMedia(mediaPath, { body: mediaBytes(20_000 + i), contentType: 'audio/mpeg', etag: `"${i}"` });
    mediaPaths.push(mediaPath);
    items.unshift({ guid: `${name}-ep${i}`, title: `Episode ${i}`, mediaUrl: server.url(mediaPath), publishedAt: new Date(Date.UTC(2024, 0, 1 + i)) });
  }
  server.setFeed(`/${name}/feed.xml`, rssFeed(name, items));
  const input = { channel: name, url: server.url(`/${name}/feed.xml`), backfill: count };
  await runCrawl(parker, input);
  const videos = await settledVideos(parker.db, name);
  assert.ok(videos.every((video) => video.status === 'downloaded'));
  const fetches = () => mediaPaths.reduce((sum, mediaPath) => sum + server.stats(mediaPath).fullBodies, 0);
  return { name, input, videos, fetches };
}

function maintain(input: MaintenanceInput): Promise<MaintenanceReport> {
  return parker.client.workflow.execute<(input: MaintenanceInput) => Promise<MaintenanceReport>>(MAINTENANCE_WORKFLOW, {
    taskQueue: parker.taskQueue,
    workflowId: uniqueName('test-maintenance'),
    args: [input],
    workflowExecutionTimeout: '2m',
  });
}

const idsOf = (list: Array<{ externalId: string }>) => list.map((video) => video.externalId).sort();

describe('retention', () => {
  test('keep last N: a dry run lists and deletes nothing; the real run deletes files and sidecars, marks rows, spares everything else; a crawl fetches nothing again', async () => {
    const a = await downloadedChannel(4);
    const b = await downloadedChannel(2);
    const byId = new Map(a.videos.map((video) => [video.externalId, video]));
    const oldest = byId.get(`${a.name}-ep0`)!;
    const folder = path.dirname(oldest.filePath!);
    const stem = path.basename(oldest.filePath!, path.extname(oldest.filePath!));
    // Sidecars of the oldest video, and a neighbour that merely starts with its stem.
    writeFileSync(path.join(folder, `${stem}.info.json`), '{}');
    writeFileSync(path.join(folder, `${stem}.en.vtt`), 'WEBVTT');
    writeFileSync(path.join(folder, `${stem}-notes.txt`), 'not a sidecar');
    // A row whose file is outside DOWNLOAD_DIR (an edited row, an old layout): never touched.
    const outsideFile = path.join(outsideDir, 'precious.mp3');
    writeFileSync(outsideFile, 'keep me');
    const outsideId = `${a.name}-outside`;
    await recordListing(
      parker.db,
      { name: a.name, url: a.input.url },
      { kind: 'rss', entries: [{ externalId: outsideId, title: 'Old', mediaUrl: 'http://127.0.0.1/x.mp3', publishedAt: '2023-06-01T00:00:00Z' }] },
      0,
    );
    await markDownloaded(parker.db, { channel: a.name, externalId: outsideId }, { filePath: outsideFile, bytes: 7, sha256: '0'.repeat(64) });

    const rules = [{ channel: a.name, keep: { last: 2 } }, { channel: b.name, keep: { last: 5 } }];
    const expired = [`${a.name}-ep0`, `${a.name}-ep1`].sort();

    const dry = await maintain({ channels: rules, dryRun: true });
    assert.equal(dry.dryRun, true);
    const [dryA, dryB] = dry.channels;
    assert.deepEqual(idsOf(dryA!.deleted), expired);
    assert.deepEqual(idsOf(dryA!.refused), [outsideId]);
    assert.deepEqual(dryB!.deleted, []);
    const listed = dryA!.deleted.find((video) => video.externalId === oldest.externalId)!;
    assert.deepEqual(listed.files.map((file) => path.basename(file)).sort(), [`${stem}.en.vtt`, `${stem}.info.json`, path.basename(oldest.filePath!)].sort());
    for (const video of a.videos) assert.ok(existsSync(video.filePath!), 'a dry run deletes nothing');
    assert.ok(existsSync(path.join(folder, `${stem}.info.json`)));
    assert.ok((await listVideos(parker.db, a.name)).every((video) => video.deletedAt === undefined), 'a dry run marks nothing');

    const real = await maintain({ channels: rules });
    assert.equal(real.dryRun, false);
    assert.deepEqual(idsOf(real.channels[0]!.deleted), expired);
    assert.deepEqual(idsOf(real.channels[0]!.refused), [outsideId]);
    assert.match(real.channels[0]!.refused[0]!.reason!, /outside the download folder/);
    const after = new Map((await listVideos(parker.db, a.name)).map((video) => [video.externalId, video]));
    for (const id of expired) {
      assert.ok(!existsSync(byId.get(id)!.filePath!), `${id}: file deleted`);
      assert.equal(after.get(id)!.status, 'downloaded', 'the status stays: no crawl starts a downloaded video');
      assert.ok(after.get(id)!.deletedAt instanceof Date, `${id}: row marked deleted`);
    }
    for (const id of [`${a.name}-ep2`, `${a.name}-ep3`]) {
      assert.ok(existsSync(byId.get(id)!.filePath!), `${id}: the newest two are kept`);
      assert.equal(after.get(id)!.deletedAt, undefined);
    }
    assert.deepEqual(readdirSync(folder).filter((file) => file.startsWith(stem)), [`${stem}-notes.txt`], 'sidecars gone, the neighbour kept');
    assert.ok(existsSync(outsideFile), 'the file outside DOWNLOAD_DIR is untouched');
    assert.equal(after.get(outsideId)!.deletedAt, undefined, 'and its row is not marked');
    for (const video of b.videos) assert.ok(existsSync(video.filePath!), 'the other channel is untouched');

    const again = await maintain({ channels: rules });
    assert.deepEqual(again.channels[0]!.deleted, [], 'a second run has nothing left to delete');

    const fetchesBefore = a.fetches();
    const crawl = await runCrawl(parker, a.input);
    assert.equal(crawl.started, 0, 'the crawl starts no download for a deleted video');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(a.fetches(), fetchesBefore, 'nothing fetched again');
    for (const id of expired) assert.ok(!existsSync(byId.get(id)!.filePath!), `${id}: not downloaded again`);
  });

  test('keep days: a run started by hand with {"dryRun":true} reads the rules from channels.yaml', async () => {
    const c = await downloadedChannel(2);
    // Downloaded "ten days ago": what a real clock would have made of it.
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString().replace('T', ' ').replace('Z', '');
    await parker.db('videos').where({ channel: c.name, external_id: `${c.name}-ep0` }).update({ downloaded_at: tenDaysAgo });
    writeFileSync(parker.settings.configPath, `channels:\n  - name: ${c.name}\n    url: ${c.input.url}\n    keep: { days: 7 }\n`);

    const dry = await maintain({ dryRun: true });
    assert.deepEqual(dry.channels.map((channel) => [channel.channel, channel.keep, idsOf(channel.deleted)]), [[c.name, { days: 7 }, [`${c.name}-ep0`]]]);
    for (const video of c.videos) assert.ok(existsSync(video.filePath!));

    const real = await maintain({});
    assert.deepEqual(idsOf(real.channels[0]!.deleted), [`${c.name}-ep0`]);
    const byId = new Map(c.videos.map((video) => [video.externalId, video]));
    assert.ok(!existsSync(byId.get(`${c.name}-ep0`)!.filePath!));
    assert.ok(existsSync(byId.get(`${c.name}-ep1`)!.filePath!), 'downloaded today: kept');
  });
});
