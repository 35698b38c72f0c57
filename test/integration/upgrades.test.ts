import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createUpgradeHostActivities } from '../../src/activities/upgrade-transfer.ts';
import type { UpgradeMedia, UpgradeTarget } from '../../src/shared/upgrade.ts';
import { mediaTypeForExtension } from '../../src/naming/media-types.ts';
import type { Settings } from '../../src/config/settings.ts';
import { toDbTime } from '../../src/db/connect.ts';
import { getVideo } from '../../src/db/videos.ts';
import type { MaintenanceInput, MaintenanceReport } from '../../src/shared/maintenance.ts';
import { CRAWL_WORKFLOW, MAINTENANCE_WORKFLOW } from '../../src/shared/names.ts';
import type { CrawlInput, CrawlSummary } from '../../src/shared/crawl.ts';
import { serveYoutubeChannel } from '../helpers/fixture-youtube.ts';
import { mediaBytes, settledVideos, sha256, testSettings, uniqueName, waitFor } from '../helpers/parker.ts';
import { workerProcessSuite } from '../helpers/worker-process-suite.ts';

// Quality upgrades end to end: a YouTube channel with `upgrade: { within: 7d }`, played
// on the fixture server; Parker as worker processes (real Temporal, MariaDB, files); the
// stand-in yt-dlp (test/fixtures/fake-ytdlp.sh, mode `formats`) offers the video at 360p,
// then at 720p, each a real file it fetches from 127.0.0.1 through Parker's proxy. The
// maintenance's upgrade step finds the 720p, fetches it beside the file and swaps it in;
// and a worker killed after the 720p is on disk but before the swap leaves the 360p file
// whole, and the next try completes the upgrade.

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fake-ytdlp.sh');
const suite = workerProcessSuite({ scratchPrefix: 'parker-upgrade-' });

const DAY_MS = 86_400_000;

interface Scenario {
  name: string;
  externalId: string;
  settings: Settings;
  /** The stand-in's format list, and its log of runs. */
  formatsFile: string;
  hold: string;
  env: Record<string, string>;
  body360: Buffer;
  body720: Buffer;
}

/** A YouTube channel of one video with `upgrade: { within: 7d }`, its two formats served, the stand-in offering 360p. */
function scenario(prefix: string): Scenario {
  const name = uniqueName(prefix);
  const externalId = `${name.slice(-8)}-up`;
  const channelId = `UC${name.replace(/[^A-Za-z0-9]/g, '').padEnd(22, '0').slice(0, 22)}`;
  const settings = testSettings(suite.scratch, {
    downloadDir: path.join(suite.scratch, name, 'downloads'),
    configPath: path.join(suite.scratch, name, 'channels.yaml'),
    youtubeBaseUrl: suite.server.origin,
    ytdlp: { path: FAKE, allowOutdated: false },
  });
  mkdirSync(path.dirname(settings.configPath), { recursive: true });
  writeFileSync(settings.configPath, `channels:\n  - name: ${name}\n    url: https://www.youtube.com/channel/${channelId}\n    upgrade: { within: 7d }\n`);
  serveYoutubeChannel(suite.server, {
    channelId,
    handle: 'unused',
    title: 'Upgrades',
    videos: [{ id: externalId, title: 'A premiere in low resolution', publishedAt: new Date(), body: Buffer.from('the watch page is not fetched') }],
  });
  const body360 = mediaBytes(120_000);
  const body720 = mediaBytes(300_000);
  suite.server.setMedia(`/${name}/360.mp4`, { body: body360, contentType: 'video/mp4' });
  suite.server.setMedia(`/${name}/720.mp4`, { body: body720, contentType: 'video/mp4' });
  const formatsFile = path.join(suite.scratch, name, 'formats.json');
  const hold = path.join(suite.scratch, name, 'hold');
  const s: Scenario = {
    name,
    externalId,
    settings,
    formatsFile,
    hold,
    env: { FAKE_YTDLP_MODE: 'formats', FAKE_YTDLP_FORMATS: formatsFile, FAKE_YTDLP_HOLD: hold, PARKER_CONFIG: settings.configPath },
    body360,
    body720,
  };
  offer(s, ['18']);
  return s;
}

/** What the stand-in offers from now on: 18 is 360p, 22 is 720p. */
function offer(s: Scenario, ids: string[]): void {
  const all = [
    { format_id: '18', height: 360, ext: 'mp4', url: `${suite.server.origin}/${s.name}/360.mp4` },
    { format_id: '22', height: 720, ext: 'mp4', url: `${suite.server.origin}/${s.name}/720.mp4` },
  ];
  writeFileSync(s.formatsFile, JSON.stringify({ formats: all.filter((format) => ids.includes(format.format_id)) }));
}

/** The stand-in's runs so far: `print <id>` for a check, `download <id>` for a download. */
function runs(s: Scenario): string[] {
  return existsSync(`${s.formatsFile}.calls`) ? readFileSync(`${s.formatsFile}.calls`, 'utf8').trim().split('\n') : [];
}

async function crawl(s: Scenario): Promise<CrawlSummary> {
  const url = readFileSync(s.settings.configPath, 'utf8').match(/url: (\S+)/)![1]!;
  return suite.client.workflow.execute<(input: CrawlInput) => Promise<CrawlSummary>>(CRAWL_WORKFLOW, {
    taskQueue: s.settings.temporal.taskQueue,
    workflowId: uniqueName('upgrade-crawl'),
    args: [{ channel: s.name, url, backfill: 10 }],
    workflowExecutionTimeout: '2m',
  });
}

function startUpgradeStep(s: Scenario) {
  return suite.client.workflow.start<(input: MaintenanceInput) => Promise<MaintenanceReport>>(MAINTENANCE_WORKFLOW, {
    taskQueue: s.settings.temporal.taskQueue,
    workflowId: uniqueName('upgrade-maintenance'),
    args: [{ steps: ['upgrade'] }],
    workflowExecutionTimeout: '5m',
  });
}

async function upgradeStep(s: Scenario): Promise<MaintenanceReport> {
  return (await startUpgradeStep(s)).result();
}

/** The day passes: the video's last check is moved back by a day (the database's clock, not the test's, is what counts). */
async function aDayLater(s: Scenario): Promise<void> {
  const row = (await getVideo(suite.db, { channel: s.name, externalId: s.externalId }))!;
  await suite.db('videos')
    .where({ id: row.id })
    .update({ upgrade_checked_at: toDbTime(new Date(row.upgradeCheckedAt!.getTime() - DAY_MS - 60_000)) });
}

/** The files in the video's folder, by name. */
function folderOf(filePath: string): string[] {
  return readdirSync(path.dirname(filePath)).sort();
}

async function downloadedAt360(s: Scenario) {
  assert.deepEqual(await crawl(s), { entries: 1, new: 1, started: 1, alreadyRunning: 0 });
  const [row] = await settledVideos(suite.db, s.name);
  assert.equal(row?.status, 'downloaded', row?.reason);
  assert.deepEqual([row.formatId, row.formatHeight, row.sha256], ['18', 360, sha256(s.body360)], 'the format yt-dlp fetched is recorded');
  assert.equal(sha256(await readFile(row.filePath!)), sha256(s.body360));
  return row;
}

describe('quality upgrades', () => {
  test('the 720p that appears a day later replaces the 360p file; the row holds the new format and both sha256', { timeout: 180_000 }, async () => {
    const s = scenario('upg');
    await suite.startWorker(s.settings, s.env);
    const before = await downloadedAt360(s);

    // The same day: only 360p, and the check is stamped.
    const first = await upgradeStep(s);
    assert.deepEqual(first.upgraded, [{ channel: s.name, checked: 1, upgraded: [], failed: [] }]);
    assert.deepEqual(runs(s), ['download 18', 'print 18']);

    // 720p appears, but the video was asked about less than a day ago: not again.
    offer(s, ['18', '22']);
    const again = await upgradeStep(s);
    assert.equal(again.upgraded[0]!.checked, 0);
    assert.deepEqual(runs(s), ['download 18', 'print 18'], 'yt-dlp was not asked');

    await aDayLater(s);
    const upgraded = await upgradeStep(s);
    assert.deepEqual(upgraded.upgraded, [
      { channel: s.name, checked: 1, upgraded: [{ externalId: s.externalId, from: { id: '18', height: 360 }, to: { id: '22', height: 720 } }], failed: [] },
    ]);
    assert.deepEqual(runs(s), ['download 18', 'print 18', 'print 22', 'download 22'], 'checked, then exactly the better format fetched');

    const row = (await getVideo(suite.db, { channel: s.name, externalId: s.externalId }))!;
    assert.equal(row.filePath, before.filePath, 'same container: the same path');
    assert.equal(sha256(await readFile(row.filePath!)), sha256(s.body720));
    assert.deepEqual(
      [row.formatId, row.formatHeight, row.sha256, row.previousSha256, row.bytes],
      ['22', 720, sha256(s.body720), sha256(s.body360), s.body720.length],
    );
    assert.ok(row.upgradedAt, 'upgraded_at is set');
    assert.deepEqual(folderOf(row.filePath!), [path.basename(row.filePath!)], 'nothing of the upgrade is left beside the file');

    // Nothing better now: a day later it is checked, and nothing is fetched.
    await aDayLater(s);
    const after = await upgradeStep(s);
    assert.deepEqual(after.upgraded[0]!.upgraded, []);
    assert.deepEqual(runs(s).slice(4), ['print 22']);
  });

  test('a worker killed between the download and the swap leaves the 360p file whole; the next try completes the upgrade', { timeout: 240_000 }, async () => {
    const s = scenario('upgcrash');
    await suite.startWorker(s.settings, s.env);
    const before = await downloadedAt360(s);

    offer(s, ['18', '22']);
    writeFileSync(s.hold, '');
    const run = await startUpgradeStep(s);
    // The stand-in has the whole 720p on disk in the upgrade's work folder and has not exited.
    await waitFor(async () => (existsSync(`${s.hold}.reached`) ? true : undefined), 'the 720p download to finish', 60_000);
    const workFile = path.join(`${before.filePath!.replace(/\.mp4$/, '')}.upgrade.part.d`, 'media.mp4');
    assert.equal(sha256(await readFile(workFile)), sha256(s.body720), 'the 720p is whole, beside the file');
    await suite.workers.at(-1)!.kill('SIGKILL');

    // Crashed: the video's path holds the 360p, whole, and the row still says so.
    assert.equal(sha256(await readFile(before.filePath!)), sha256(s.body360));
    const crashed = (await getVideo(suite.db, { channel: s.name, externalId: s.externalId }))!;
    assert.deepEqual([crashed.formatId, crashed.sha256, crashed.previousSha256], ['18', sha256(s.body360), undefined]);

    rmSync(s.hold);
    await suite.startWorker(s.settings, s.env);
    const report = await run.result();
    assert.deepEqual(report.upgraded[0]!.upgraded, [{ externalId: s.externalId, from: { id: '18', height: 360 }, to: { id: '22', height: 720 } }]);
    assert.deepEqual(runs(s), ['download 18', 'print 22', 'download 22', 'download 22'], 'the download was tried again after the crash, from an empty folder');

    const row = (await getVideo(suite.db, { channel: s.name, externalId: s.externalId }))!;
    assert.equal(sha256(await readFile(row.filePath!)), sha256(s.body720));
    assert.deepEqual([row.formatId, row.sha256, row.previousSha256], ['22', sha256(s.body720), sha256(s.body360)]);
    assert.deepEqual(folderOf(row.filePath!), [path.basename(row.filePath!)], 'the work folder is gone');
  });
});

describe('the swap, tried again', () => {
  test('after a crash between its rename and the row: it completes; a better format in another container replaces the old file', async () => {
    const channel = uniqueName('swap');
    const downloadDir = path.join(suite.scratch, channel, 'downloads');
    const stem = `${channel}/2026-03-01 A video [v1]`;
    mkdirSync(path.join(downloadDir, channel), { recursive: true });
    const oldFile = path.join(downloadDir, `${stem}.mp4`);
    const workDir = path.join(downloadDir, `${stem}.upgrade.part.d`);
    const oldBytes = mediaBytes(1000);
    const newBytes = mediaBytes(3000);
    writeFileSync(oldFile, oldBytes);
    mkdirSync(workDir);
    writeFileSync(path.join(workDir, 'media.webm'), newBytes);
    const now = toDbTime(new Date());
    await suite.db('channels').insert({ name: channel, url: `https://www.youtube.com/@${channel}`, created_at: now, updated_at: now });
    await suite.db('videos').insert({
      channel,
      external_id: 'v1',
      title: 'A video',
      status: 'downloaded',
      downloader: 'ytdlp',
      relative_stem: stem,
      file_path: oldFile,
      bytes: oldBytes.length,
      sha256: sha256(oldBytes),
      format_id: '18',
      format_height: 360,
      created_at: now,
      updated_at: now,
    });
    const target: UpgradeTarget = {
      mediaUrl: 'https://www.youtube.com/watch?v=v1',
      relativeStem: stem,
      currentExt: 'mp4',
      currentSha256: sha256(oldBytes),
      from: { id: '18', height: 360 },
      to: { id: '247+251', height: 720 },
    };
    const media: UpgradeMedia = { bytes: newBytes.length, sha256: sha256(newBytes), ext: 'webm', filePath: path.join(workDir, 'media.webm'), format: target.to };
    const activities = createUpgradeHostActivities({ db: suite.db, downloaders: [], downloadDir, metrics: undefined as never, capacity: { transferStarted: () => () => {} } });
    const swap = () => new MockActivityEnvironment().run(activities.swapUpgrade, { video: { channel, externalId: 'v1' }, target, media });

    // The first try renamed the file into place and died before it wrote the row.
    const newFile = path.join(downloadDir, `${stem}.webm`);
    renameSync(media.filePath, newFile);
    assert.deepEqual(await swap(), { externalId: 'v1', from: target.from, to: target.to });
    const row = (await getVideo(suite.db, { channel, externalId: 'v1' }))!;
    assert.deepEqual(
      [row.filePath, row.sha256, row.previousSha256, row.formatId, row.formatHeight, row.mediaType],
      // The type a download in that container records (finalizeDownload's).
      [newFile, sha256(newBytes), sha256(oldBytes), '247+251', 720, mediaTypeForExtension('webm')],
    );
    assert.deepEqual(readdirSync(path.dirname(newFile)), [path.basename(newFile)], 'the old file and the work folder are gone');
    assert.equal(sha256(readFileSync(newFile)), sha256(newBytes));

    // And once more (the activity ran twice): nothing changes, nothing fails.
    await swap();
    assert.deepEqual(await getVideo(suite.db, { channel, externalId: 'v1' }), row);
  });
});
