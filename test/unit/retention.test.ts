import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DAY_MS, selectExpired } from '../../src/retention/select.ts';
import { deleteFiles, isFileOfStem, locateVideoFiles, stemOf } from '../../src/retention/files.ts';

const NOW = new Date(Date.UTC(2026, 5, 30, 12));
const day = (n: number) => new Date(Date.UTC(2026, 5, n));

describe('selectExpired', () => {
  const videos = [
    { id: 1, publishedAt: day(10), downloadedAt: day(29) }, // backfilled late
    { id: 2, publishedAt: day(20), downloadedAt: day(20) },
    { id: 3, publishedAt: day(25), downloadedAt: day(25) },
    { id: 4, downloadedAt: day(28) }, // no publication date: counts by download
    { id: 5, publishedAt: day(29), downloadedAt: day(29) },
  ];

  test('last: N keeps the newest N by publication date, undated ones by download time', () => {
    assert.deepEqual(selectExpired(videos, { last: 2 }, NOW).map((v) => v.id), [1, 2, 3]);
    assert.deepEqual(selectExpired(videos, { last: 3 }, NOW).map((v) => v.id), [1, 2]);
    assert.deepEqual(selectExpired(videos, { last: 5 }, NOW), []);
    assert.deepEqual(selectExpired(videos, { last: 50 }, NOW), []);
  });

  test('last: N breaks a tie of dates by the later row', () => {
    const same = [1, 2, 3].map((id) => ({ id, publishedAt: day(1), downloadedAt: day(1) }));
    assert.deepEqual(selectExpired(same, { last: 1 }, NOW).map((v) => v.id), [1, 2]);
  });

  test('days: D lets go what was downloaded more than D days ago, whatever its publication date', () => {
    // 5 days before NOW is June 25 12:00: June 20 and 25 (00:00) are older.
    assert.deepEqual(selectExpired(videos, { days: 5 }, NOW).map((v) => v.id), [2, 3]);
    assert.deepEqual(selectExpired(videos, { days: 30 }, NOW), []);
    const exactly = [{ id: 9, downloadedAt: new Date(NOW.getTime() - 2 * DAY_MS) }];
    assert.deepEqual(selectExpired(exactly, { days: 2 }, NOW), [], 'exactly D days old is still kept');
  });

  test('does not reorder or change its input', () => {
    const copy = structuredClone(videos);
    selectExpired(videos, { last: 1 }, NOW);
    assert.deepEqual(videos, copy);
  });
});

describe('isFileOfStem', () => {
  const stem = '2024-01-01 Episode 1 [abc]';
  test('the video and its sidecars', () => {
    for (const name of ['mp4', 'info.json', 'en.vtt', 'jpg', 'nfo', 'mp4.part', 'en-US.srt']) {
      assert.ok(isFileOfStem(`${stem}.${name}`, stem), name);
    }
  });
  test('never another file that merely starts with the stem', () => {
    for (const name of [
      `${stem}`,
      `${stem}x.mp4`,
      `${stem}-2.mp4`,
      `${stem} (2).mp4`,
      `${stem}.2 Episode 1 [abc]] [def].mp4`,
      `${stem}.. [x].mp4`,
      `2024-01-01 Episode 1 [ab].mp4`,
      `2024-01-01 Episode 1 [abcd].mp4`,
    ]) {
      assert.ok(!isFileOfStem(name, stem), name);
    }
  });
  test('stemOf takes off the last extension only', () => {
    assert.equal(stemOf('a [id].mp4'), 'a [id]');
    assert.equal(stemOf('a.b [id].webm'), 'a.b [id]');
  });
});

describe('locateVideoFiles', () => {
  function scratch() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'parker-retention-'));
    const downloads = path.join(root, 'downloads');
    const channel = path.join(downloads, 'chan');
    const outside = path.join(root, 'outside');
    mkdirSync(channel, { recursive: true });
    mkdirSync(outside);
    return { root, downloads, channel, outside, done: () => rmSync(root, { recursive: true, force: true }) };
  }

  test('finds the video and its sidecars, and nothing of its neighbours; deleteFiles removes exactly those', async () => {
    const s = scratch();
    try {
      const stem = '2024-01-01 Ep [a]';
      for (const name of [`${stem}.mp4`, `${stem}.info.json`, `${stem}.jpg`, `${stem}-2.mp4`, '2024-01-01 Ep [ab].mp4', `${stem} (2).mp4`]) {
        writeFileSync(path.join(s.channel, name), 'x');
      }
      mkdirSync(path.join(s.channel, `${stem}.d`));
      const found = await locateVideoFiles(s.downloads, path.join(s.channel, `${stem}.mp4`));
      assert.equal(found.verdict, 'delete');
      assert.deepEqual(found.verdict === 'delete' && found.files.map((f) => path.basename(f)), [`${stem}.info.json`, `${stem}.jpg`, `${stem}.mp4`]);
      await deleteFiles(found.verdict === 'delete' ? found.files : []);
      assert.deepEqual(readdirSync(s.channel).sort(), ['2024-01-01 Ep [a] (2).mp4', '2024-01-01 Ep [a]-2.mp4', '2024-01-01 Ep [a].d', '2024-01-01 Ep [ab].mp4'].sort());
    } finally {
      s.done();
    }
  });

  test('a path outside the download folder is refused, even one that looks inside with ..', async () => {
    const s = scratch();
    try {
      writeFileSync(path.join(s.outside, 'v.mp4'), 'x');
      for (const filePath of [path.join(s.outside, 'v.mp4'), `${s.downloads}/chan/../../outside/v.mp4`, '../outside/v.mp4']) {
        const found = await locateVideoFiles(s.downloads, filePath);
        assert.equal(found.verdict, 'outside', filePath);
      }
    } finally {
      s.done();
    }
  });

  test('a symlink leading outside (the file, a sidecar or the folder) is refused', async () => {
    const s = scratch();
    try {
      writeFileSync(path.join(s.outside, 'target.mp4'), 'x');
      symlinkSync(path.join(s.outside, 'target.mp4'), path.join(s.channel, 'A [a].mp4'));
      assert.equal((await locateVideoFiles(s.downloads, path.join(s.channel, 'A [a].mp4'))).verdict, 'outside');

      writeFileSync(path.join(s.channel, 'B [b].mp4'), 'x');
      symlinkSync(path.join(s.outside, 'target.mp4'), path.join(s.channel, 'B [b].jpg'));
      assert.equal((await locateVideoFiles(s.downloads, path.join(s.channel, 'B [b].mp4'))).verdict, 'outside');

      symlinkSync(s.outside, path.join(s.downloads, 'linked'));
      assert.equal((await locateVideoFiles(s.downloads, path.join(s.downloads, 'linked', 'target.mp4'))).verdict, 'outside');

      // A link that stays inside is an ordinary file to delete (the link, not its target).
      writeFileSync(path.join(s.channel, 'C [c].mp4'), 'x');
      symlinkSync(path.join(s.channel, 'C [c].mp4'), path.join(s.channel, 'C [c].jpg'));
      const inside = await locateVideoFiles(s.downloads, path.join(s.channel, 'C [c].mp4'));
      assert.equal(inside.verdict, 'delete');
      assert.equal(inside.verdict === 'delete' && inside.files.length, 2);
      assert.deepEqual(readdirSync(s.outside), ['target.mp4']);
    } finally {
      s.done();
    }
  });

  test('a video whose files are gone has nothing to delete', async () => {
    const s = scratch();
    try {
      assert.deepEqual(await locateVideoFiles(s.downloads, path.join(s.channel, 'gone [g].mp4')), { verdict: 'delete', files: [] });
      assert.deepEqual(await locateVideoFiles(s.downloads, path.join(s.downloads, 'no-folder', 'gone [g].mp4')), { verdict: 'delete', files: [] });
    } finally {
      s.done();
    }
  });
});
