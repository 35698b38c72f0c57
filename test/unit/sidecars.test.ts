import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sidecarArgs } from '../../src/downloaders/ytdlp.ts';
import { descriptionFromInfoJson, findSidecars, sidecarSuffix, writeFileAtomically } from '../../src/sidecars/files.ts';

describe('sidecarArgs', () => {
  test('nothing asked, no flags', () => {
    assert.deepEqual(sidecarArgs(undefined), []);
    assert.deepEqual(sidecarArgs({ format: 'b' }), []);
  });

  test('each kind its flag; an NFO fetches info.json for its plot', () => {
    assert.deepEqual(sidecarArgs({ write: ['info_json'] }), ['--write-info-json']);
    assert.deepEqual(sidecarArgs({ write: ['nfo'] }), ['--write-info-json']);
    assert.deepEqual(sidecarArgs({ write: ['thumbnail'] }), ['--write-thumbnail']);
    assert.deepEqual(sidecarArgs({ write: ['subtitles'], subtitles: ['en', 'de'] }), [
      '--write-subs',
      '--sub-langs',
      'en,de',
      '--sub-format',
      'vtt/srt/best',
    ]);
  });
});

describe('sidecarSuffix', () => {
  const all = ['info_json', 'thumbnail', 'subtitles', 'nfo'] as const;
  const cases: [string, string | undefined][] = [
    ['media.info.json', 'info_json'],
    ['media.jpg', 'thumbnail'],
    ['media.webp', 'thumbnail'],
    ['media.en.vtt', 'subtitles'],
    ['media.de.srt', 'subtitles'],
    ['media.fr.vtt', undefined], // a language nobody asked for
    ['media.en.exe', undefined],
    ['media.mp4', undefined],
    ['media.mp4.part', undefined],
    ['other.jpg', undefined],
    ['media.../../x.vtt', undefined],
  ];
  for (const [name, kind] of cases) {
    test(`${name} → ${kind ?? 'not a sidecar'}`, () => {
      assert.equal(sidecarSuffix(name, all, ['en', 'de']), kind);
    });
  }

  test('only kinds that were asked for', () => {
    assert.equal(sidecarSuffix('media.info.json', ['nfo'], []), undefined, 'fetched for the NFO, not kept');
    assert.equal(sidecarSuffix('media.jpg', ['subtitles'], ['en']), undefined);
  });
});

describe('sidecar files', () => {
  test('findSidecars lists what was asked for with its suffix; a missing folder lists none', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parker-sidecars-'));
    try {
      for (const name of ['media.mp4', 'media.info.json', 'media.webp', 'media.en.vtt', 'media.fr.vtt']) writeFileSync(path.join(dir, name), 'x');
      const found = await findSidecars(dir, ['info_json', 'subtitles'], ['en']);
      assert.deepEqual(found.map((f) => [f.kind, f.suffix]), [['subtitles', 'en.vtt'], ['info_json', 'info.json']]);
      assert.deepEqual(await findSidecars(path.join(dir, 'gone'), ['info_json'], []), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('descriptionFromInfoJson reads yt-dlp\'s description, and nothing from a bad or missing file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parker-sidecars-'));
    try {
      assert.equal(await descriptionFromInfoJson(dir), undefined);
      writeFileSync(path.join(dir, 'media.info.json'), '{not json');
      assert.equal(await descriptionFromInfoJson(dir), undefined);
      writeFileSync(path.join(dir, 'media.info.json'), JSON.stringify({ description: 'About' }));
      assert.equal(await descriptionFromInfoJson(dir), 'About');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('writeFileAtomically replaces the file whole and leaves no temporary file; a failure leaves none either', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parker-sidecars-'));
    try {
      const file = path.join(dir, 'a.nfo');
      await writeFileAtomically(file, 'one');
      await writeFileAtomically(file, 'two');
      assert.equal(readFileSync(file, 'utf8'), 'two');
      assert.deepEqual(readdirSync(dir), ['a.nfo']);
      mkdirSync(path.join(dir, 'b.nfo')); // a folder where the file should go: the rename fails
      await assert.rejects(writeFileAtomically(path.join(dir, 'b.nfo'), 'x'));
      assert.deepEqual(readdirSync(dir).sort(), ['a.nfo', 'b.nfo']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
