import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { recordListing } from '../../src/db/listing.ts';
import { getVideo, listVideos, markDownloaded, type VideoRow } from '../../src/db/videos.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { ByteThrottle } from '../../src/library/byte-throttle.ts';
import { fileSha256 } from '../../src/library/file-sha256.ts';
import { MAINTENANCE_WORKFLOW } from '../../src/shared/names.ts';
import type { ChannelVerifyReport, MaintenanceInput, MaintenanceReport } from '../../src/shared/maintenance.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { mediaBytes, runCrawl, settledVideos, startParker, uniqueName, waitFor, type TestParker } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

// Files changed behind Parker's back, with real files, real downloads and the real
// maintenance workflow: deleted (downloaded again, or kept as a record), moved (found by
// sha256), changed, and outside DOWNLOAD_DIR (never touched).

let server: FixtureServer;
let parker: TestParker;
let outsideDir: string;

before(async () => {
  server = await FixtureServer.start();
  parker = await startParker();
  outsideDir = mkdtempSync(path.join(os.tmpdir(), 'parker-verify-outside-'));
});
after(async () => {
  await parker?.stop();
  await server?.close();
  rmSync(outsideDir, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A podcast of `count` episodes downloaded in full; `fetches(i)` counts whole fetches of episode i. */
async function downloadedChannel(prefix: string, count: number) {
  const name = uniqueName(prefix);
  const items: FeedItem[] = [];
  for (let i = 0; i < count; i++) {
    server.setMedia(`/${name}/ep${i}.mp3`, { body: mediaBytes(20_000 + i * 100), contentType: 'audio/mpeg', etag: `"${i}"` });
    items.push({ guid: `${name}-ep${i}`, title: `Episode ${i}`, mediaUrl: server.url(`/${name}/ep${i}.mp3`), publishedAt: new Date(Date.UTC(2024, 0, 1 + i)) });
  }
  const url = server.url(`/${name}/feed.xml`);
  server.setFeed(`/${name}/feed.xml`, rssFeed(name, items));
  await runCrawl(parker, { channel: name, url, backfill: count });
  const videos = await settledVideos(parker.db, name);
  assert.ok(videos.every((video) => video.status === 'downloaded'));
  const byIndex = (i: number) => videos.find((video) => video.externalId === `${name}-ep${i}`)!;
  return { name, url, videos, byIndex, fetches: (i: number) => server.stats(`/${name}/ep${i}.mp3`).fullBodies };
}

function writeChannelList(entries: Array<{ name: string; url: string; missing?: string }>): void {
  const lines = entries.map((entry) => `  - name: ${entry.name}\n    url: ${entry.url}\n${entry.missing ? `    missing: ${entry.missing}\n` : ''}`);
  writeFileSync(parker.settings.configPath, `channels:\n${lines.join('')}`);
}

async function verify(input: MaintenanceInput = {}): Promise<Map<string, ChannelVerifyReport>> {
  const report = await parker.client.workflow.execute<(input: MaintenanceInput) => Promise<MaintenanceReport>>(MAINTENANCE_WORKFLOW, {
    taskQueue: parker.taskQueue,
    workflowId: uniqueName('test-verify'),
    args: [{ steps: ['verify'], ...input }],
    workflowExecutionTimeout: '2m',
  });
  assert.deepEqual(report.channels, [], 'steps: [verify] runs no retention');
  return new Map(report.verified.map((channel) => [channel.channel, channel]));
}

const row = async (video: VideoRow) => (await getVideo(parker.db, { channel: video.channel, externalId: video.externalId }))!;

describe('verify', () => {
  test('missing: redownload: a file deleted by hand is marked missing and downloaded again, once; the others are not fetched', async () => {
    const channel = await downloadedChannel('again', 3);
    writeChannelList([{ name: channel.name, url: channel.url, missing: 'redownload' }]);
    const lost = channel.byIndex(0);
    unlinkSync(lost.filePath!);

    const report = (await verify()).get(channel.name)!;
    assert.equal(report.missing, 'redownload');
    assert.equal(report.checked, 3);
    assert.deepEqual(report.counts, { moved: 0, missing: 1, changed: 0, outside: 0 });
    assert.deepEqual(report.found.map((video) => [video.externalId, video.verdict]), [[lost.externalId, 'missing']]);
    assert.equal(report.started, 1);

    const again = await waitFor(async () => {
      const current = await row(lost);
      return current.status === 'downloaded' && existsSync(current.filePath!) ? current : undefined;
    }, 'the download started again');
    assert.equal(again.filePath, lost.filePath, 'back at the name it had');
    assert.equal(sha256(readFileSync(again.filePath!)), lost.sha256);
    assert.equal(channel.fetches(0), 2, 'fetched once more');
    assert.equal(channel.fetches(1) + channel.fetches(2), 2, 'the files that were there are not fetched again');

    const second = (await verify()).get(channel.name)!;
    assert.deepEqual(second.counts, { moved: 0, missing: 0, changed: 0, outside: 0 }, 'all there now');
    assert.equal(second.started, 0);
  });

  test('missing: keep-record (the default): the row is marked missing and kept; nothing is fetched, by the verify or by a crawl', async () => {
    const channel = await downloadedChannel('record', 2);
    writeChannelList([{ name: channel.name, url: channel.url }]);
    const lost = channel.byIndex(1);
    const original = readFileSync(lost.filePath!);
    unlinkSync(lost.filePath!);

    const report = (await verify()).get(channel.name)!;
    assert.equal(report.missing, 'keep-record');
    assert.deepEqual(report.counts, { moved: 0, missing: 1, changed: 0, outside: 0 });
    assert.equal(report.redownload.length, 0);
    assert.equal(report.started, 0);
    const marked = await row(lost);
    assert.equal(marked.status, 'missing');
    assert.match(marked.reason!, /file missing: .*found by verify/);
    assert.equal(marked.sha256, lost.sha256, 'the record keeps what the file was');

    const crawl = await runCrawl(parker, { channel: channel.name, url: channel.url, backfill: 2 });
    assert.equal(crawl.started, 0, 'a crawl starts no download for a missing row');
    const repeat = (await verify()).get(channel.name)!;
    assert.deepEqual(repeat.counts, { moved: 0, missing: 1, changed: 0, outside: 0 }, 'still reported');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(channel.fetches(1), 1, 'never fetched again');
    assert.equal((await row(lost)).status, 'missing');

    // Put back by hand: found where it was, and downloaded again as far as the row goes.
    writeFileSync(lost.filePath!, original);
    const back = (await verify()).get(channel.name)!;
    assert.deepEqual(back.found.map((video) => [video.externalId, video.verdict, video.movedTo]), [[lost.externalId, 'moved', lost.filePath]]);
    assert.equal((await row(lost)).status, 'downloaded');
  });

  test('a file moved inside DOWNLOAD_DIR is found again by its sha256; a same-size impostor and a copy reached through a symlink to outside are not', async () => {
    const channel = await downloadedChannel('moved', 3);
    writeChannelList([{ name: channel.name, url: channel.url, missing: 'redownload' }]);
    const moved = channel.byIndex(0);
    const elsewhere = path.join(parker.downloadDir, 'sorted by hand', 'kept.mp3');
    mkdirSync(path.dirname(elsewhere), { recursive: true });
    renameSync(moved.filePath!, elsewhere);
    // The same size, other bytes: not the lost file.
    const impostor = channel.byIndex(1);
    const impostorBytes = Buffer.from(readFileSync(impostor.filePath!));
    unlinkSync(impostor.filePath!);
    impostorBytes[0] = impostorBytes[0]! ^ 0xff;
    writeFileSync(path.join(parker.downloadDir, 'sorted by hand', 'impostor.mp3'), impostorBytes);
    // The real bytes, but outside DOWNLOAD_DIR and reachable only through a symlinked folder.
    const linkedAway = channel.byIndex(2);
    renameSync(linkedAway.filePath!, path.join(outsideDir, 'away.mp3'));
    symlinkSync(outsideDir, path.join(parker.downloadDir, 'link to outside'));
    const outsideBefore = statSync(path.join(outsideDir, 'away.mp3'));

    const report = (await verify({ dryRun: true })).get(channel.name)!;
    assert.deepEqual(report.counts, { moved: 1, missing: 2, changed: 0, outside: 0 }, 'a dry run reports');
    assert.equal((await row(moved)).filePath, moved.filePath, 'a dry run changes no row');
    assert.equal((await row(impostor)).status, 'downloaded');
    assert.equal(report.started, 0, 'and starts nothing');

    const real = (await verify()).get(channel.name)!;
    const verdicts = new Map(real.found.map((video) => [video.externalId, video]));
    assert.equal(verdicts.get(moved.externalId)!.verdict, 'moved');
    assert.equal(verdicts.get(moved.externalId)!.movedTo, elsewhere);
    assert.equal(verdicts.get(impostor.externalId)!.verdict, 'missing', 'same size, other sha256');
    assert.equal(verdicts.get(linkedAway.externalId)!.verdict, 'missing', 'the symlink to outside is not followed');
    const found = await row(moved);
    assert.equal(found.status, 'downloaded');
    assert.equal(found.filePath, elsewhere, 'the row follows the file');
    assert.equal(channel.fetches(0), 1, 'a moved file is not fetched again');
    assert.equal(real.started, 2, 'the two lost ones are fetched again');
    await waitFor(async () => ((await row(impostor)).status === 'downloaded' && (await row(linkedAway)).status === 'downloaded' ? true : undefined), 'the two downloads');
    assert.equal(sha256(readFileSync((await row(impostor)).filePath!)), impostor.sha256);
    const outsideAfter = statSync(path.join(outsideDir, 'away.mp3'));
    assert.equal(outsideAfter.mtimeMs, outsideBefore.mtimeMs, 'the file outside is untouched');
    assert.ok(existsSync(path.join(parker.downloadDir, 'sorted by hand', 'impostor.mp3')), 'nothing on disk is removed');
  });

  test('nothing outside DOWNLOAD_DIR is touched; a changed size is reported, not "fixed"; sha256 on request finds changed bytes', async () => {
    const channel = await downloadedChannel('outside', 2);
    writeChannelList([{ name: channel.name, url: channel.url, missing: 'redownload' }]);
    // A row recording a file outside DOWNLOAD_DIR, present and absent.
    const outsideFile = path.join(outsideDir, 'precious.mp3');
    writeFileSync(outsideFile, 'keep me');
    for (const [externalId, file] of [[`${channel.name}-outside`, outsideFile], [`${channel.name}-gone-outside`, path.join(outsideDir, 'never-there.mp3')]] as const) {
      await recordListing(parker.db, { name: channel.name, url: channel.url }, { kind: 'rss', entries: [{ externalId, title: 'Outside', mediaUrl: 'http://127.0.0.1/x.mp3' }] }, 0);
      await markDownloaded(parker.db, { channel: channel.name, externalId }, { filePath: file, bytes: 7, sha256: sha256(Buffer.from('keep me')) });
    }
    const grown = channel.byIndex(0);
    writeFileSync(grown.filePath!, Buffer.concat([readFileSync(grown.filePath!), Buffer.from('tail')]));
    const flipped = channel.byIndex(1);
    const bytes = readFileSync(flipped.filePath!);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(flipped.filePath!, bytes);
    const rowsBefore = JSON.stringify(await listVideos(parker.db, channel.name));
    const outsideStat = statSync(outsideFile);

    const plain = (await verify()).get(channel.name)!;
    const verdicts = new Map(plain.found.map((video) => [video.externalId, video]));
    assert.equal(verdicts.get(`${channel.name}-outside`)!.verdict, 'outside');
    assert.equal(verdicts.get(`${channel.name}-gone-outside`)!.verdict, 'outside', 'gone, but outside: never marked, never fetched');
    assert.equal(verdicts.get(grown.externalId)!.verdict, 'changed');
    assert.match(verdicts.get(grown.externalId)!.reason!, /has 20004 bytes, 20000 were downloaded/);
    assert.equal(verdicts.get(flipped.externalId), undefined, 'same size: fine without sha256');
    assert.equal(plain.started, 0);

    const hashed = (await verify({ sha256: true })).get(channel.name)!;
    const hashedVerdict = hashed.found.find((video) => video.externalId === flipped.externalId)!;
    assert.equal(hashedVerdict.verdict, 'changed');
    assert.match(hashedVerdict.reason!, new RegExp(`was downloaded`));
    assert.equal(JSON.stringify(await listVideos(parker.db, channel.name)), rowsBefore, 'no row changed');
    assert.equal(readFileSync(outsideFile, 'utf8'), 'keep me');
    assert.equal(statSync(outsideFile).mtimeMs, outsideStat.mtimeMs);
    assert.ok(!existsSync(path.join(outsideDir, 'never-there.mp3')), 'nothing written outside');
    assert.equal(channel.fetches(0) + channel.fetches(1), 2, 'nothing fetched again');
  });

  test('`npm run verify -- --dry-run --sha256` runs the verify step on the running worker, prints the findings and exits 1', async () => {
    const channel = await downloadedChannel('cli', 2);
    writeChannelList([{ name: channel.name, url: channel.url, missing: 'redownload' }]);
    const lost = channel.byIndex(0);
    unlinkSync(lost.filePath!);
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/verify.ts', '--dry-run', '--sha256'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, TEMPORAL_ADDRESS: services.temporalAddress, TEMPORAL_TASK_QUEUE: parker.taskQueue, LOG_LEVEL: 'info' },
    });
    const failure = await run.then(
      () => assert.fail('a missing file must make the command exit non-zero'),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(failure.code, 1);
    const lines = failure.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.find((line) => line.channel === channel.name && line.checked !== undefined)!;
    assert.equal(summary.checked, 2);
    assert.equal(summary.missing, 1);
    assert.equal(summary.downloadsStarted, 0, 'a dry run starts nothing');
    assert.ok(lines.some((line) => line.videoId === lost.externalId && line.verdict === 'missing' && line.msg === lost.filePath));
    assert.equal((await row(lost)).status, 'downloaded', 'a dry run marks nothing');
    assert.equal(channel.fetches(0), 1);
  });

  test('hashing is throttled: 3 MiB at 2 MiB/s takes about 1.5 s and gives the right sha256', async () => {
    const file = path.join(outsideDir, 'big.bin');
    const data = mediaBytes(3 * 1024 * 1024);
    writeFileSync(file, data);
    const started = Date.now();
    let chunks = 0;
    const digest = await fileSha256(file, new ByteThrottle(2 * 1024 * 1024), () => chunks++);
    const elapsed = Date.now() - started;
    assert.equal(digest, sha256(data));
    assert.ok(elapsed >= 1_400, `took ${elapsed} ms, not throttled`);
    assert.ok(chunks >= 3, 'a heartbeat per MiB');
  });
});
