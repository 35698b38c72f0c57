import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { listVideos } from '../../src/db/videos.ts';
import { serveYoutubeChannel, type FixtureYoutubeVideo } from '../helpers/fixture-youtube.ts';
import { backfillWorkflowIdFor, CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import type { BackfillSummary } from '../../src/shared/backfill.ts';
import type { CrawlInput } from '../../src/shared/crawl.ts';
import { fixtureAndParker, mediaBytes, runCrawl, settledVideos, sha256, testSettings, uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';

// Backfill beyond a YouTube feed's 15 entries: the channel's uploads playlist is listed
// with `yt-dlp --flat-playlist`, 200 entries a page, by a backfill workflow that continues
// as new every few pages and keeps its place in the database. The stand-in yt-dlp plays
// YouTube's playlist listing only (the real one cannot reach YouTube from 127.0.0.1; it
// still downloads every video, from the fixture's watch pages). A real yt-dlp paging a
// real listing is in other-site.test.ts.

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fake-ytdlp.sh');
const playlists = mkdtempSync(path.join(os.tmpdir(), 'parker-playlists-'));
const fakeEnv = { FAKE_YTDLP_MODE: 'playlist', FAKE_YTDLP_PLAYLISTS: playlists, FAKE_YTDLP_REAL: services.ytdlp };
Object.assign(process.env, fakeEnv);
after(() => rmSync(playlists, { recursive: true, force: true }));

const { server, parker } = await fixtureAndParker((fixture) => ({
  youtubeBaseUrl: fixture.origin,
  ytdlp: { path: FAKE, allowOutdated: false },
}));

/** Position 1 is the newest upload. Every 100th is a pick; some are past streams or Shorts. */
interface Upload {
  position: number;
  id: string;
  title: string;
  live: boolean;
  short: boolean;
}

function uploads(prefix: string, count: number): Upload[] {
  return Array.from({ length: count }, (_, index) => {
    const position = index + 1;
    return {
      position,
      id: `${prefix}${String(position).padStart(5, '0')}`,
      title: position % 100 === 0 ? `Upload ${position} (pick)` : `Upload ${position}`,
      live: position % 300 === 0,
      short: position % 400 === 0,
    };
  });
}

/** Keeps the picks that are neither a past stream nor a Short. */
const PICKS_ONLY = { titleInclude: '\\(pick\\)', live: false, shorts: false };

function isDownloaded(upload: Upload): boolean {
  return upload.title.endsWith('(pick)') && !upload.live && !upload.short;
}

/**
 * A YouTube channel: its handle page and its feed (the newest 15, as YouTube's) on the
 * fixture server, a watch page for each video it may download, and its uploads playlist
 * as yt-dlp's flat listing shows it.
 */
function youtubeChannel(count: number, downloadable: (upload: Upload) => boolean = isDownloaded) {
  const name = uniqueName('backfill');
  const prefix = name.slice(-8);
  const channelId = `UC${prefix.replace(/[^A-Za-z0-9]/g, '').padEnd(22, '0')}`;
  const all = uploads(prefix, count);
  const bodies = new Map(all.filter(downloadable).map((upload) => [upload.id, mediaBytes(20_000 + upload.position)]));
  const published = (upload: Upload) => new Date(Date.UTC(2026, 0, 1) - upload.position * 3_600_000);
  const feedVideos: FixtureYoutubeVideo[] = all.slice(0, 15).map((upload) => ({
    id: upload.id,
    title: upload.title,
    publishedAt: published(upload),
    body: bodies.get(upload.id) ?? mediaBytes(1_000),
    short: upload.short,
  }));
  const handle = `h${prefix}`;
  serveYoutubeChannel(server, { channelId, handle, title: 'Backfilled channel', videos: feedVideos });
  for (const [id, body] of bodies) server.setMedia(`/watch?v=${id}`, { body, contentType: 'video/mp4', etag: `"${id}"` });
  const listId = `UU${channelId.slice(2)}`;
  // The shape of yt-dlp's flat entries for a YouTube playlist.
  const flat = all.map((upload) => ({
    _type: 'url',
    ie_key: 'Youtube',
    id: upload.id,
    url: `https://www.youtube.com/${upload.short ? `shorts/${upload.id}` : `watch?v=${upload.id}`}`,
    title: upload.title,
    duration: upload.short ? 30 : 600,
    live_status: upload.live ? 'was_live' : null,
    timestamp: null,
  }));
  writeFileSync(path.join(playlists, `${listId}.json`), JSON.stringify(flat));
  return {
    name,
    all,
    bodies,
    url: `https://www.youtube.com/@${handle}`,
    /** The stretches yt-dlp was asked to list, in order. */
    listings(): string[] {
      let log = '';
      try {
        log = readFileSync(path.join(playlists, 'calls.log'), 'utf8');
      } catch {
        // Nothing listed yet.
      }
      return log
        .split('\n')
        .filter((line) => line.startsWith(`${listId} `))
        .map((line) => line.slice(listId.length + 1));
    },
  };
}

async function backfillResult(channel: string): Promise<BackfillSummary> {
  return parker.client.workflow.getHandle(backfillWorkflowIdFor(channel)).result();
}

/** The statuses of the backfill workflow's runs, once visibility has them all closed. */
async function runStatuses(channel: string, runs: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const statuses: string[] = [];
    for await (const execution of parker.client.workflow.list({ query: `WorkflowId = '${backfillWorkflowIdFor(channel)}'` })) {
      statuses.push(execution.status.name);
    }
    if ((statuses.length >= runs && !statuses.includes('RUNNING')) || Date.now() > deadline) return statuses.sort();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function stretches(from: number, to: number, page = 200): string[] {
  const expected: string[] = [];
  for (let start = from; start <= to; start += page) expected.push(`${start}:${Math.min(start + page - 1, to)}`);
  return expected;
}

describe('backfill', () => {
  test('`backfill: all` lists a channel of 1,100 uploads beyond its feed, page by page over two runs, and downloads what the rules let through', { timeout: 180_000 }, async () => {
    const channel = youtubeChannel(1_100);
    const input: CrawlInput = { channel: channel.name, url: channel.url, backfill: 'all', rules: PICKS_ONLY };

    const crawl = await runCrawl(parker, input);
    assert.equal(crawl.entries, 15, 'the crawl itself reads the feed');
    assert.deepEqual(crawl.backfill, { status: 'started', from: 1 });

    const summary = await backfillResult(channel.name);
    const wanted = channel.all.filter(isDownloaded);
    assert.deepEqual(summary, { listed: 1_100, new: 1_085, started: wanted.length, alreadyRunning: 0, pages: 6 });
    // Six pages, each listed once; the last one short, which ends the listing.
    assert.deepEqual(channel.listings(), stretches(1, 1_200));
    const statuses = await runStatuses(channel.name, 2);
    assert.deepEqual(statuses, ['COMPLETED', 'CONTINUED_AS_NEW'], 'five pages a run, then continue-as-new');

    const videos = await settledVideos(parker.db, channel.name);
    assert.equal(videos.length, 1_100);
    const byId = new Map(videos.map((video) => [video.externalId, video]));
    for (const upload of channel.all) {
      const video = byId.get(upload.id)!;
      if (isDownloaded(upload)) {
        assert.equal(video.status, 'downloaded', `${upload.id}: ${video.reason}`);
        assert.equal(sha256(await readFile(video.filePath!)), sha256(channel.bodies.get(upload.id)!));
      } else {
        assert.equal(video.status, 'skipped', upload.id);
      }
    }
    assert.equal(byId.get(channel.all[299]!.id)!.reason, 'filter: live streams excluded', 'a past stream, told by its live_status');
    assert.equal(byId.get(channel.all[399]!.id)!.reason, 'filter: shorts excluded');
    assert.match(byId.get(channel.all[0]!.id)!.reason!, /title_include/);

    // Done: the next crawl neither starts a backfill nor lists the channel with yt-dlp again.
    const again = await runCrawl(parker, input);
    assert.equal(again.backfill, undefined);
    assert.equal(channel.listings().length, 6);
  });

  test('`backfill: 450` lists the newest 450 and stops; a failed backfill goes on from its last page on the next crawl', { timeout: 120_000 }, async () => {
    const channel = youtubeChannel(1_000);
    const input: CrawlInput = { channel: channel.name, url: channel.url, backfill: 450, rules: PICKS_ONLY };
    // The listing fails from position 201 on: the site changed, say. The first page stays recorded.
    process.env.FAKE_YTDLP_FAIL_FROM = '201';
    try {
      const crawl = await runCrawl(parker, input);
      assert.deepEqual(crawl.backfill, { status: 'started', from: 1 });
      await assert.rejects(backfillResult(channel.name), 'the backfill fails once its listing keeps failing');
    } finally {
      delete process.env.FAKE_YTDLP_FAIL_FROM;
    }
    assert.equal((await listVideos(parker.db, channel.name)).length, 200);

    const resumed = await runCrawl(parker, input);
    assert.deepEqual(resumed.backfill, { status: 'started', from: 201 }, 'the database kept its place');
    const summary = await backfillResult(channel.name);
    // Its picks (300, 400) are a past stream and a Short; 100 and 200 were started by the first run.
    assert.deepEqual(summary, { listed: 250, new: 250, started: 0, alreadyRunning: 0, pages: 2 });
    assert.equal(channel.listings().filter((stretch) => stretch === '1:200').length, 1, 'the first page is never listed again');
    assert.deepEqual(channel.listings().at(-2), '201:400');
    assert.deepEqual(channel.listings().at(-1), '401:450', 'the last page stops at the 450th entry');
    const videos = await settledVideos(parker.db, channel.name);
    assert.equal(videos.length, 450);
    assert.deepEqual(
      videos.filter((video) => video.status === 'downloaded').map((video) => video.externalId).sort(),
      channel.all.slice(0, 450).filter(isDownloaded).map((upload) => upload.id),
    );
  });

  test('a worker killed in the middle of a backfill: a new worker goes on from the page it was on', { timeout: 180_000 }, async () => {
    const channel = youtubeChannel(1_000);
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-backfill-kill-'));
    const settings = testSettings(scratch, { youtubeBaseUrl: server.origin, ytdlp: { path: FAKE, allowOutdated: false } });
    // Each listing takes two seconds, so the kill lands while one runs.
    const env = { ...fakeEnv, FAKE_YTDLP_LIST_DELAY: '2' };
    let worker = await startWorkerProcess(settings, 60_000, env);
    try {
      const crawl = parker.client.workflow.start(CRAWL_WORKFLOW, {
        taskQueue: settings.temporal.taskQueue,
        workflowId: uniqueName(`test-crawl-${channel.name}`),
        args: [{ channel: channel.name, url: channel.url, backfill: 'all', rules: { titleInclude: '^none$' } } satisfies CrawlInput],
        workflowExecutionTimeout: '2m',
      });
      await crawl;
      const deadline = Date.now() + 60_000;
      while (channel.listings().length < 3) {
        assert.ok(Date.now() < deadline, `the backfill did not reach its third page:\n${worker.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await worker.kill('SIGKILL');
      assert.equal((await listVideos(parker.db, channel.name)).length, 400, 'two pages recorded when the worker died');

      worker = await startWorkerProcess(settings, 60_000, env);
      const summary = await backfillResult(channel.name);
      assert.equal(summary.listed >= 1_000, true);
      const listed = channel.listings();
      assert.equal(listed.filter((stretch) => stretch === '1:200').length, 1, 'not started over');
      assert.equal(listed.filter((stretch) => stretch === '201:400').length, 1, 'not started over');
      assert.deepEqual([...new Set(listed)], stretches(1, 1_200), 'every page, in order; only the interrupted one twice');
      assert.ok(listed.length <= 7, listed.join(' '));
      assert.equal((await listVideos(parker.db, channel.name)).length, 1_000);
      const row = await parker.db('channels').where({ name: channel.name }).first();
      assert.ok(row.backfill_done_at, 'the backfill is recorded as done');
    } finally {
      await worker.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('raising `backfill` later lists the channel and downloads what the first crawl skipped for its limit', { timeout: 120_000 }, async () => {
    const channel = youtubeChannel(20, () => true);
    const first = await runCrawl(parker, { channel: channel.name, url: channel.url, backfill: 3 });
    assert.equal(first.backfill, undefined, 'the feed holds the newest 3');
    const before = await settledVideos(parker.db, channel.name);
    assert.equal(before.filter((video) => video.status === 'downloaded').length, 3);
    assert.equal(before.filter((video) => video.skipKind === 'backfill_limit').length, 12);

    const raised = await runCrawl(parker, { channel: channel.name, url: channel.url, backfill: 'all' });
    assert.deepEqual(raised.backfill, { status: 'started', from: 1 });
    const summary = await backfillResult(channel.name);
    assert.deepEqual(summary, { listed: 20, new: 5, started: 17, alreadyRunning: 0, pages: 1 }, '12 reopened, 5 new');
    const after = await settledVideos(parker.db, channel.name);
    assert.equal(after.length, 20);
    for (const video of after) {
      assert.equal(video.status, 'downloaded', `${video.externalId}: ${video.reason}`);
      assert.equal(video.skipKind, undefined, 'a reopened row is no longer marked skipped');
      assert.equal(sha256(await readFile(video.filePath!)), sha256(channel.bodies.get(video.externalId)!));
    }
  });
});
