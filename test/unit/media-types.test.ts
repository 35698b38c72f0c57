import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extensionForMediaType,
  extensionFromUrl,
  isMediaContentType,
  MEDIA_EXTENSIONS,
} from '../../src/naming/media-types.ts';

describe('extensionForMediaType', () => {
  const expected: [string, string][] = [
    ['audio/mpeg', 'mp3'],
    ['audio/mp3', 'mp3'],
    ['audio/mp4', 'm4a'],
    ['audio/x-m4a', 'm4a'],
    ['audio/aac', 'aac'],
    ['audio/ogg', 'ogg'],
    ['audio/opus', 'opus'],
    ['audio/flac', 'flac'],
    ['audio/x-flac', 'flac'],
    ['audio/wav', 'wav'],
    ['audio/x-wav', 'wav'],
    ['audio/webm', 'webm'],
    ['video/mp4', 'mp4'],
    ['video/x-m4v', 'm4v'],
    ['video/webm', 'webm'],
    ['video/quicktime', 'mov'],
    ['video/x-matroska', 'mkv'],
    ['video/ogg', 'ogv'],
    ['video/mpeg', 'mpg'],
    ['video/3gpp', '3gp'],
  ];
  for (const [type, ext] of expected) {
    test(`${type} → ${ext}`, () => assert.equal(extensionForMediaType(type), ext));
  }

  test('ignores case, parameters and white space', () => {
    assert.equal(extensionForMediaType('Audio/MPEG; charset=binary'), 'mp3');
    assert.equal(extensionForMediaType('  video/MP4 ;codecs="avc1.42E01E"'), 'mp4');
  });

  for (const type of [
    'application/octet-stream', // accepted as media, but names no extension
    'application/x-msdownload',
    'application/x-msdos-program',
    'application/x-sh',
    'text/html',
    'text/html; charset=utf-8',
    'application/json',
    'image/svg+xml',
    'image/jpeg',
    'audio/',
    'audio',
    'video/unknown',
    'mp3',
    '',
    ';audio/mpeg',
  ]) {
    test(`${JSON.stringify(type)} has no extension`, () => assert.equal(extensionForMediaType(type), undefined));
  }

  test('undefined has no extension', () => assert.equal(extensionForMediaType(undefined), undefined));

  test('prototype keys are not media types', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(extensionForMediaType(key), undefined, key);
    }
  });
});

describe('MEDIA_EXTENSIONS', () => {
  test('holds exactly the extensions the media types map to', () => {
    assert.deepEqual(
      [...MEDIA_EXTENSIONS].sort(),
      ['3gp', 'aac', 'flac', 'm4a', 'm4v', 'mkv', 'mov', 'mp3', 'mp4', 'mpg', 'ogg', 'ogv', 'opus', 'wav', 'webm'],
    );
  });

  test('no dangerous extension is on the allow-list', () => {
    for (const ext of ['exe', 'bat', 'cmd', 'com', 'scr', 'sh', 'js', 'html', 'htm', 'svg', 'php', 'lnk', 'dll', 'ps1', 'part']) {
      assert.ok(!MEDIA_EXTENSIONS.has(ext), ext);
    }
  });

  test('every extension is short lower-case alphanumerics, at most "webm" long', () => {
    for (const ext of MEDIA_EXTENSIONS) {
      assert.match(ext, /^[a-z0-9]{1,4}$/, ext);
    }
  });
});

describe('extensionFromUrl', () => {
  const cases: [string, string | undefined][] = [
    ['https://cdn.example.com/ep1.mp3', 'mp3'],
    ['https://cdn.example.com/path/ep1.MP3?x=1', 'mp3'],
    ['https://cdn.example.com/v/clip.webm#t=10', 'webm'],
    ['https://cdn.example.com/a.b.c/clip.m4a', 'm4a'],
    ['https://cdn.example.com/ep1.mp3/download', undefined],
    ['https://cdn.example.com/ep1', undefined],
    ['https://cdn.example.com/', undefined],
    ['https://cdn.example.com/evil.exe', undefined],
    ['https://cdn.example.com/page.html', undefined],
    ['https://cdn.example.com/evil.exe?file=x.mp3', undefined], // the query is not the path
    ['https://cdn.example.com/x.mp3.exe', undefined],
    ['https://cdn.example.com/x.exe.mp3', 'mp3'],
    ['https://cdn.example.com/file.part', undefined],
    ['https://cdn.example.com/x.toolongext', undefined],
    ['https://cdn.example.com/x%2Emp3', undefined], // an encoded dot is not a dot
    ['not a url.mp3', undefined],
    ['', undefined],
  ];
  for (const [url, ext] of cases) {
    test(`${JSON.stringify(url)} → ${ext ?? 'undefined'}`, () => assert.equal(extensionFromUrl(url), ext));
  }

  test('only returns extensions from the allow-list', () => {
    for (const ext of ['mp3', 'flac', 'exe', 'txt', 'opus', 'mkv', 'html', 'zip']) {
      const found = extensionFromUrl(`https://example.com/file.${ext}`);
      assert.equal(found, MEDIA_EXTENSIONS.has(ext) ? ext : undefined, ext);
    }
  });
});

describe('isMediaContentType', () => {
  for (const type of [
    'audio/mpeg',
    'video/mp4',
    'AUDIO/OGG; codecs=opus',
    'video/x-unknown-but-video',
    'application/octet-stream',
    'binary/octet-stream',
    'Application/Octet-Stream; charset=binary',
  ]) {
    test(`accepts ${type}`, () => assert.equal(isMediaContentType(type), true));
  }

  test('accepts a missing or empty content type', () => {
    assert.equal(isMediaContentType(undefined), true);
    assert.equal(isMediaContentType(''), true);
  });

  for (const type of [
    'text/html',
    'text/html; charset=utf-8',
    'text/plain',
    'application/json',
    'application/xml',
    'text/xml',
    'application/rss+xml',
    'image/jpeg',
    'application/x-msdownload',
    'application/zip',
    'multipart/byteranges; boundary=x',
    'textaudio/mpeg',
    'xaudio/mpeg',
  ]) {
    test(`refuses ${type}`, () => assert.equal(isMediaContentType(type), false));
  }
});
