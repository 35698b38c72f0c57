import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { recordBackfillPage } from '../../src/db/backfill.ts';
import { connectDb, migrate, toDbTime, type Db } from '../../src/db/connect.ts';
import { getCooldownUntil, recordCooldown } from '../../src/db/cooldowns.ts';
import { recordListing } from '../../src/db/listing.ts';
import { takeTurn } from '../../src/db/turns.ts';
import { migrationSource } from '../../src/db/migrations/index.ts';
import { filesOfOtherVideos, listStoredVideos, markVideoDeleted } from '../../src/db/retention.ts';
import { getVideo, listUnfinished, listVideos, markDownloaded, markDownloading, markFailed } from '../../src/db/videos.ts';
import { TRANSFER_TURN_LEAD_MS } from '../../src/rules/transfer-turn.ts';
import type { ChannelListing, ListedVideo } from '../../src/shared/listing.ts';
import { uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

// One contract, two stores: the embedded SQLite file and MySQL (MariaDB here) run the
// same migrations and the same queries, and must answer alike.

/** Retry delays for markFailed: two tries again, then given up. */
const DELAYS = [60_000, 3_600_000];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-stores-'));
const dropEmptyDatabases: Array<() => Promise<void>> = [];
const stores: Array<{ name: string; open(): Db; openEmpty(): Promise<Db> }> = [
  {
    name: 'SQLite',
    open: () => connectDb(undefined, scratch),
    openEmpty: async () => connectDb(undefined, mkdtempSync(path.join(scratch, 'empty-'))),
  },
  {
    name: 'MySQL',
    open: () => connectDb(services.databaseUrl, scratch),
    // A database of its own on the run's server, dropped at the end.
    async openEmpty() {
      const url = new URL(services.databaseUrl);
      const name = `${url.pathname.slice(1)}_empty`;
      const admin = connectDb(services.databaseUrl, scratch);
      await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
      dropEmptyDatabases.push(async () => {
        await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
        await admin.destroy();
      });
      url.pathname = `/${name}`;
      return connectDb(url.href, scratch);
    },
  },
];
const opened: Db[] = [];
after(async () => {
  for (const db of opened) await db.destroy();
  for (const drop of dropEmptyDatabases) await drop();
  rmSync(scratch, { recursive: true, force: true });
});

function entry(id: string, day: number, extra: Partial<ListedVideo> = {}): ListedVideo {
  return {
    externalId: id,
    title: `Title ${id}`,
    mediaUrl: `https://example.org/${id}.mp3`,
    mediaType: 'audio/mpeg',
    publishedAt: new Date(Date.UTC(2024, 0, day)).toISOString(),
    ...extra,
  };
}

function listing(entries: ListedVideo[]): ChannelListing {
  return { kind: 'rss', title: 'A channel', entries };
}

for (const store of stores) {
  describe(`${store.name} store`, () => {
    let db: Db;
    const channel = () => ({ name: uniqueName('store'), url: 'https://example.org/feed.xml' });

    test('migrations run, and run again harmlessly', async () => {
      db = store.open();
      opened.push(db);
      await migrate(db);
      await migrate(db);
      assert.ok(await db.schema.hasTable('videos'));
      assert.ok(await db.schema.hasTable('channels'));
      assert.ok(await db.schema.hasColumn('videos', 'deleted_at'));
      assert.ok(await db.schema.hasColumn('videos', 'downloaded_at'));
      assert.ok(await db.schema.hasTable('site_cooldowns'));
    });

    test('migration 007 gives the skipped rows recorded before it their skip kind, and rolls back without loss', async () => {
      const empty = await store.openEmpty();
      opened.push(empty);
      await empty.migrate.to({ migrationSource, name: '006-backfill-progress' });
      const ch = channel();
      const time = toDbTime(new Date());
      await empty('channels').insert({ name: ch.name, url: ch.url, created_at: time, updated_at: time });
      // Rows as Parker recorded them before the column, with the reasons it wrote then.
      const reasons: Record<string, [string, string | null]> = {
        'past-limit': ['skipped', "older than the newest 3 on the channel's first crawl (backfill limit)"],
        short: ['skipped', 'filter: shorts excluded'],
        'no-media': ['skipped', 'no downloadable media link in the feed entry'],
        gone: ['failed', 'https://example.org/gone.mp3 answered HTTP 404'],
        waiting: ['discovered', null],
      };
      await empty('videos').insert(
        Object.entries(reasons).map(([id, [status, reason]]) => ({ channel: ch.name, external_id: id, title: id, status, reason, created_at: time, updated_at: time })),
      );
      const expectedKinds = { 'past-limit': 'backfill_limit', short: 'filtered', 'no-media': 'not_downloadable', gone: null, waiting: null };
      const kinds = async () => Object.fromEntries((await listVideos(empty, ch.name)).map((v) => [v.externalId, v.skipKind ?? null]));
      const statusesAndReasons = async () => Object.fromEntries((await listVideos(empty, ch.name)).map((v) => [v.externalId, [v.status, v.reason ?? null]]));

      await migrate(empty);
      assert.deepEqual(await kinds(), expectedKinds);
      assert.deepEqual(await statusesAndReasons(), reasons, 'statuses and reasons are left as they were');

      await empty.migrate.down({ migrationSource, name: '007-skip-kind' });
      assert.equal(await empty.schema.hasColumn('videos', 'skip_kind'), false);
      assert.deepEqual(await statusesAndReasons(), reasons);
      await migrate(empty);
      assert.deepEqual(await kinds(), expectedKinds, 'up again after down classifies the same');

      // What the column is for: a deeper backfill takes the row the old limit skipped.
      const page = await recordBackfillPage(empty, {
        channel: ch.name,
        target: 'all',
        from: 1,
        listed: 3,
        ended: true,
        entries: [entry('past-limit', 1), entry('short', 2), entry('no-media', 3)],
        filtered: new Map(),
      });
      assert.deepEqual(page.pending.map((video) => video.externalId), ['past-limit']);
      assert.deepEqual(
        [(await getVideo(empty, { channel: ch.name, externalId: 'past-limit' }))!.status, (await kinds())['past-limit']],
        ['discovered', null],
      );
    });

    test('recording is an upsert: unique per channel and external id, statuses kept, metadata refreshed', async () => {
      const ch = channel();
      const first = await recordListing(db, ch, listing([entry('a', 1), entry('b', 2)]), 10);
      assert.deepEqual(first, { entries: 2, new: 2, discovered: 2, skipped: { backfillLimit: 0, notDownloadable: 0, filtered: 0 } });
      await markDownloaded(db, { channel: ch.name, externalId: 'a' }, { filePath: '/x/a.mp3', bytes: 5_000_000_000, sha256: 'f'.repeat(64) });

      const second = await recordListing(db, ch, listing([entry('a', 1, { title: 'Renamed' }), entry('b', 2), entry('c', 3)]), 10);
      assert.deepEqual(second, { entries: 3, new: 1, discovered: 1, skipped: { backfillLimit: 0, notDownloadable: 0, filtered: 0 } });
      const videos = (await listVideos(db, ch.name)).sort((x, y) => x.externalId.localeCompare(y.externalId));
      assert.deepEqual(videos.map((v) => [v.externalId, v.status]), [['a', 'downloaded'], ['b', 'discovered'], ['c', 'discovered']]);
      assert.equal(videos[0]!.title, 'Renamed');
      assert.equal(videos[0]!.bytes, 5_000_000_000, 'sizes past 4 GiB survive');
      assert.equal(videos[0]!.publishedAt?.toISOString(), '2024-01-01T00:00:00.000Z');
    });

    test('the same id twice in one listing is recorded once', async () => {
      const ch = channel();
      const outcome = await recordListing(db, ch, listing([entry('dup', 2), entry('dup', 1), entry('other', 3)]), 10);
      assert.deepEqual(outcome, { entries: 2, new: 2, discovered: 2, skipped: { backfillLimit: 0, notDownloadable: 0, filtered: 0 } });
      assert.equal((await listVideos(db, ch.name)).length, 2);
    });

    test('the backfill limit: newest N discovered, older skipped with the reason, only on the first crawl', async () => {
      const ch = channel();
      const outcome = await recordListing(
        db,
        ch,
        listing([entry('old', 1), entry('newest', 9), entry('middle', 5), entry('undated', 0, { publishedAt: undefined })]),
        2,
      );
      assert.deepEqual(outcome, { entries: 4, new: 4, discovered: 2, skipped: { backfillLimit: 2, notDownloadable: 0, filtered: 0 } });
      const byId = new Map((await listVideos(db, ch.name)).map((v) => [v.externalId, v]));
      assert.equal(byId.get('newest')!.status, 'discovered');
      assert.equal(byId.get('middle')!.status, 'discovered');
      assert.equal(byId.get('old')!.status, 'skipped');
      assert.equal(byId.get('undated')!.status, 'skipped');
      assert.match(byId.get('old')!.reason!, /backfill/);
      assert.deepEqual(
        [...byId.values()].map((v) => [v.externalId, v.skipKind ?? null]).sort(),
        [['middle', null], ['newest', null], ['old', 'backfill_limit'], ['undated', 'backfill_limit']],
      );

      const later = await recordListing(db, ch, listing([entry('later', 10), entry('no-media', 11, { skipReason: 'no media link' })]), 0);
      assert.deepEqual(later, { entries: 2, new: 2, discovered: 1, skipped: { backfillLimit: 0, notDownloadable: 1, filtered: 0 } });
      assert.equal((await getVideo(db, { channel: ch.name, externalId: 'later' }))!.status, 'discovered');
      assert.equal((await getVideo(db, { channel: ch.name, externalId: 'no-media' }))!.skipKind, 'not_downloadable');
    });

    test('entries a rule filtered are skipped with its reason, do not count towards backfill, and keep a known row as it was', async () => {
      const ch = channel();
      const filtered = new Map([['newest', 'filter: title matches /x/ (title_exclude)']]);
      const outcome = await recordListing(db, ch, listing([entry('newest', 9), entry('middle', 5), entry('old', 1)]), 1, new Date(), undefined, filtered);
      assert.deepEqual(outcome, { entries: 3, new: 3, discovered: 1, skipped: { backfillLimit: 1, notDownloadable: 0, filtered: 1 } });
      const byId = new Map((await listVideos(db, ch.name)).map((v) => [v.externalId, v]));
      assert.deepEqual(
        [byId.get('newest')!.status, byId.get('newest')!.reason, byId.get('newest')!.skipKind],
        ['skipped', 'filter: title matches /x/ (title_exclude)', 'filtered'],
      );
      assert.equal(byId.get('middle')!.status, 'discovered', 'the backfill of 1 went to the newest entry the rules let through');
      assert.equal(byId.get('old')!.status, 'skipped');

      // Rules judge an entry when it is first recorded: a known row keeps its status.
      const again = await recordListing(db, ch, listing([entry('middle', 5)]), 1, new Date(), undefined, new Map([['middle', 'filter: x']]));
      assert.deepEqual(again.skipped, { backfillLimit: 0, notDownloadable: 0, filtered: 0 });
      assert.equal((await getVideo(db, { channel: ch.name, externalId: 'middle' }))!.status, 'discovered');
    });

    test('unfinished videos are listed in pages by row id, with safe workflow ids', async () => {
      const ch = channel();
      await recordListing(db, ch, listing([entry('one', 1), entry('two', 2), entry('https://x.org/3?a=b', 3)]), 10);
      await markFailed(db, { channel: ch.name, externalId: 'two' }, { reason: 'HTTP 404', kind: 'permanent' }, DELAYS);
      const page1 = await listUnfinished(db, ch.name, 0, 1);
      const page2 = await listUnfinished(db, ch.name, page1[0]!.id, 10);
      const all = [...page1, ...page2];
      assert.equal(all.length, 2);
      assert.ok(all.every((video) => /^parker-video-[\w.-]+$/.test(video.workflowId)), all.map((v) => v.workflowId).join());
    });

    test('a transient failure is listed again once its retry is due, counted once per run, and given up after the last delay', async () => {
      const ch = channel();
      await recordListing(db, ch, listing([entry('flaky', 1), entry('gone', 2), entry('aside', 3)]), 10);
      const flaky = { channel: ch.name, externalId: 'flaky' };
      const t0 = new Date(Date.UTC(2026, 0, 1, 12));
      const at = (ms: number) => new Date(t0.getTime() + ms);
      const due = async (now: Date) => (await listUnfinished(db, ch.name, 0, 10, now)).map((v) => v.externalId);

      await markDownloading(db, flaky);
      const first = await markFailed(db, flaky, { reason: 'x answered HTTP 503 (retries exhausted)', kind: 'transient' }, DELAYS, t0);
      assert.deepEqual(first, { kind: 'transient', retryAt: at(DELAYS[0]!), attempts: 1 });
      // The activity ran twice for one run: counted once.
      assert.deepEqual(await markFailed(db, flaky, { reason: 'again', kind: 'transient' }, DELAYS, at(10)), first);
      await markFailed(db, { channel: ch.name, externalId: 'gone' }, { reason: 'HTTP 404', kind: 'permanent' }, DELAYS, t0);
      await db('videos').where({ channel: ch.name, external_id: 'aside' }).update({ ignored_at: toDbTime(t0) });

      assert.deepEqual(await due(at(DELAYS[0]! - 1)), [], 'not before its time; the 404 and the ignored video never');
      assert.deepEqual(await due(at(DELAYS[0]!)), ['flaky']);
      const row = (await getVideo(db, flaky))!;
      assert.deepEqual([row.status, row.failureKind, row.failedAttempts, row.nextRetryAt?.toISOString()], [
        'failed', 'transient', 1, at(DELAYS[0]!).toISOString(),
      ]);

      for (const attempt of [2, 3]) {
        await markDownloading(db, flaky);
        assert.equal((await getVideo(db, flaky))!.nextRetryAt, undefined, 'a run in flight has no retry time');
        await markFailed(db, flaky, { reason: 'x answered HTTP 503 (retries exhausted)', kind: 'transient' }, DELAYS, at(attempt));
      }
      const given = (await getVideo(db, flaky))!;
      assert.equal(given.failedAttempts, 3);
      assert.equal(given.nextRetryAt, undefined);
      assert.equal(given.reason, 'given up after 3 failed downloads: x answered HTTP 503 (retries exhausted)');
      assert.deepEqual(await due(at(30 * 86_400_000)), []);

      await markDownloading(db, flaky);
      await markDownloaded(db, flaky, { filePath: '/d/flaky.mp3', bytes: 1, sha256: 'a'.repeat(64) });
      const downloaded = (await getVideo(db, flaky))!;
      assert.deepEqual([downloaded.failureKind, downloaded.failedAttempts], [undefined, 3], 'the count stays as history');
    });

    test('status changes: downloading, downloaded; failed never overwrites downloaded', async () => {
      const ch = channel();
      await recordListing(db, ch, listing([entry('v', 1)]), 10);
      const key = { channel: ch.name, externalId: 'v' };
      await markDownloading(db, key);
      assert.equal((await getVideo(db, key))!.status, 'downloading');
      await markDownloaded(db, key, { filePath: '/d/v.mp3', bytes: 10, sha256: 'a'.repeat(64) });
      await markFailed(db, key, { reason: 'late failure from a stale attempt', kind: 'transient' }, DELAYS);
      const video = await getVideo(db, key);
      assert.equal(video!.status, 'downloaded');
      assert.equal(video!.reason, undefined);
    });

    test('retention: stored videos with their download time; a deleted one stays downloaded and is never unfinished', async () => {
      const ch = channel();
      await recordListing(db, ch, listing([entry('old', 1), entry('new', 2), entry('pending', 3)]), 10);
      const downloadedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
      for (const id of ['old', 'new']) {
        await markDownloaded(db, { channel: ch.name, externalId: id }, { filePath: `/d/${id}.mp3`, bytes: 1, sha256: 'a'.repeat(64) }, downloadedAt);
      }
      const stored = await listStoredVideos(db, ch.name);
      assert.deepEqual(stored.map((v) => [v.externalId, v.filePath, v.downloadedAt.toISOString()]).sort(), [
        ['new', '/d/new.mp3', downloadedAt.toISOString()],
        ['old', '/d/old.mp3', downloadedAt.toISOString()],
      ]);
      const old = stored.find((v) => v.externalId === 'old')!;
      await markVideoDeleted(db, old.id, new Date(Date.UTC(2026, 1, 1)));
      await markVideoDeleted(db, old.id, new Date(Date.UTC(2026, 2, 1)));
      const row = await getVideo(db, { channel: ch.name, externalId: 'old' });
      assert.equal(row!.status, 'downloaded');
      assert.equal(row!.deletedAt?.toISOString(), '2026-02-01T00:00:00.000Z', 'the first deletion time is kept');
      assert.deepEqual((await listStoredVideos(db, ch.name)).map((v) => v.externalId), ['new']);
      assert.deepEqual((await listUnfinished(db, ch.name)).map((v) => v.externalId), ['pending']);
      await markDownloading(db, { channel: ch.name, externalId: 'old' });
      await markFailed(db, { channel: ch.name, externalId: 'old' }, { reason: 'stale', kind: 'transient' }, DELAYS);
      assert.equal((await getVideo(db, { channel: ch.name, externalId: 'old' }))!.status, 'downloaded');
      assert.deepEqual(await filesOfOtherVideos(db, old.id, ['/d/old.mp3', '/d/new.mp3', '/d/none.mp3']), ['/d/new.mp3']);
    });

    test('site cooldowns: recorded per site, only ever extended', async () => {
      const site = `${uniqueName('site')}.example.org`;
      assert.equal(await getCooldownUntil(db, site), undefined);
      const later = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 123));
      const earlier = new Date(Date.UTC(2026, 0, 1, 11));
      assert.deepEqual(await recordCooldown(db, site, later, 'HTTP 429'), later);
      assert.deepEqual(await recordCooldown(db, site, earlier, 'HTTP 429 again'), later, 'an earlier end does not cut it short');
      assert.equal((await getCooldownUntil(db, site))?.toISOString(), later.toISOString());
      const latest = new Date(Date.UTC(2026, 0, 2));
      assert.deepEqual(await recordCooldown(db, site, latest, 'bot check'), latest);
      assert.equal((await getCooldownUntil(db, site))?.toISOString(), latest.toISOString());
      assert.equal(await getCooldownUntil(db, `other-${site}`), undefined);
    });

    test("a rate-limited site's turns: claims taken at once get starts an interval apart, the first a lead from now; each site has its own", async () => {
      const [site, other] = [uniqueName('turns'), uniqueName('turns-other')];
      const before = Date.now();
      const [turns, otherTurns] = await Promise.all([
        Promise.all(Array.from({ length: 12 }, () => takeTurn(db, site, 500))),
        Promise.all(Array.from({ length: 3 }, () => takeTurn(db, other, 2_000))),
      ]);
      for (const [given, interval] of [[turns, 500], [otherTurns, 2_000]] as const) {
        const sorted = [...given].sort((a, b) => a - b);
        assert.ok(sorted[0]! >= before + TRANSFER_TURN_LEAD_MS && sorted[0]! <= Date.now() + TRANSFER_TURN_LEAD_MS, `first turn ${sorted[0]! - before} ms after the claims began`);
        assert.deepEqual(sorted.slice(1).map((turn, i) => turn - sorted[i]!), Array.from({ length: sorted.length - 1 }, () => interval), 'each turn an interval after the one before');
      }
    });

    test('titles with SQL metacharacters and emoji are stored verbatim', async () => {
      const ch = channel();
      const title = `Robert'); DROP TABLE videos;-- "quoted" \\ 🎙️ 日本語`;
      await recordListing(db, ch, listing([entry('sql', 1, { title })]), 10);
      assert.equal((await getVideo(db, { channel: ch.name, externalId: 'sql' }))!.title, title);
      assert.ok(await db.schema.hasTable('videos'));
    });
  });
}
