import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cleanNamePart, MAX_FILENAME_BYTES, truncateUtf8, videoFileStem } from '../../src/naming/safe-filename.ts';
import { safeIdPart, videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { MEDIA_EXTENSIONS } from '../../src/naming/media-types.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const DATE = new Date('2024-03-09T23:59:59Z');
const LONGEST_SUFFIX = `.${[...MEDIA_EXTENSIONS].reduce((a, b) => (b.length > a.length ? b : a))}.part`;

// Control characters (C0, DEL, C1) and the Unicode bidi controls.
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Everything a single, harmless path component must be. */
function assertSafeComponent(name: string, maxBytes = MAX_FILENAME_BYTES): void {
  const shown = JSON.stringify(name);
  assert.ok(name.length > 0, 'empty name');
  assert.ok(!name.includes('/'), `${shown} contains /`);
  assert.ok(!name.includes('\\'), `${shown} contains \\`);
  assert.ok(!name.includes('\0'), `${shown} contains NUL`);
  assert.ok(!name.includes('..'), `${shown} contains ..`);
  assert.ok(!CONTROL_OR_BIDI.test(name), `${shown} contains a control or bidi character`);
  assert.ok(!/[:*?"<>|]/.test(name), `${shown} contains a character Windows forbids`);
  assert.ok(!name.startsWith('-'), `${shown} starts with -`);
  assert.ok(!name.startsWith('.'), `${shown} starts with .`);
  assert.ok(!/[. ]$/.test(name), `${shown} ends with a dot or space`);
  assert.ok(!WINDOWS_DEVICE.test(name), `${shown} is a Windows device name`);
  assert.ok(!name.includes('\uFFFD'), `${shown} contains a replacement character (a split character)`);
  assert.ok(bytes(name) <= maxBytes, `${shown} is ${bytes(name)} bytes, over ${maxBytes}`);
  assert.equal(path.basename(name), name, `${shown} is not a single path component`);
  assert.equal(name.normalize('NFC'), name, `${shown} is not NFC`);
}

const HOSTILE_TITLES: [string, string][] = [
  ['parent traversal', '../../x'],
  ['deep traversal', '../../../../../../etc/passwd'],
  ['a lone slash', '/'],
  ['a lone backslash', '\\'],
  ['windows traversal', '..\\..\\Windows\\System32'],
  ['NUL', 'a\u0000b'],
  ['only NUL', '\u0000'],
  ['newlines and tabs', 'line one\nline two\r\n\tend'],
  ['RTL override', 'invoice\u202Efdp.exe'],
  ['every bidi control', 'a\u061Cb\u200Ec\u200Fd\u202Ae\u202Bf\u202Cg\u202Dh\u202Ei\u2066j\u2067k\u2068l\u2069m'],
  ['C1 controls and DEL', 'a\u0080b\u009fc\u007fd'],
  ['CON', 'CON'],
  ['con with extension', 'con.mp4'],
  ['nul.txt', 'nul.txt'],
  ['LPT9', 'lpt9'],
  ['COM1 with spaces', '  COM1  '],
  ['leading dash', '-rf --no-preserve-root'],
  ['leading dots', '...hidden'],
  ['a single dot', '.'],
  ['two dots', '..'],
  ['dots and spaces', ' . . . '],
  ['trailing dots', 'name...'],
  ['windows forbidden characters', 'a:b*c?d"e<f>g|h'],
  ['empty', ''],
  ['only white space', '   \t  '],
];

describe('cleanNamePart', () => {
  for (const [name, title] of HOSTILE_TITLES) {
    test(`makes a safe component of ${name}`, () => {
      assertSafeComponent(cleanNamePart(title, 100));
    });
  }

  test('keeps an ordinary title as it is', () => {
    assert.equal(cleanNamePart('Episode 12 - The Return (Live)', 100), 'Episode 12 - The Return (Live)');
  });

  test('keeps non-Latin letters and emoji', () => {
    assert.equal(cleanNamePart('Ça va? 日本語 🎉', 100), 'Ça va_ 日本語 🎉');
  });

  test('turns separators into underscores', () => {
    assert.equal(cleanNamePart('AC/DC \\ live', 100), 'AC_DC _ live');
  });

  test('a traversal title loses its dots and slashes', () => {
    assert.equal(cleanNamePart('../../x', 100), '_._x');
  });

  test('control characters become spaces and white space folds', () => {
    assert.equal(cleanNamePart('a\u0000b\n\nc\t d', 100), 'a b c d');
  });

  test('bidi controls are removed', () => {
    const cleaned = cleanNamePart('invoice\u202Efdp.exe', 100);
    assert.ok(!cleaned.includes('\u202E'));
    assert.equal(cleaned, 'invoice fdp.exe');
  });

  test('leading dots and dashes go, trailing dots go', () => {
    assert.equal(cleanNamePart('-.-.name...', 100), 'name');
  });

  test('runs of dots fold to one', () => {
    assert.equal(cleanNamePart('a....b', 100), 'a.b');
  });

  for (const device of ['CON', 'prn', 'Aux', 'NUL', 'com1', 'LPT3', 'nul.txt', 'con.tar.gz']) {
    test(`the Windows device name ${device} gets an underscore in front`, () => {
      assert.equal(cleanNamePart(device, 100), `_${device}`);
    });
  }

  test('a name that only starts like a device is left alone', () => {
    assert.equal(cleanNamePart('CONSOLE', 100), 'CONSOLE');
    assert.equal(cleanNamePart('nullable', 100), 'nullable');
  });

  test('nothing left gives the fallback', () => {
    assert.equal(cleanNamePart('...', 100), '_');
    assert.equal(cleanNamePart('\u202E\u0000', 100, 'untitled'), 'untitled');
  });

  test('NFC normalization: a decomposed é becomes one code point', () => {
    assert.equal(cleanNamePart('Cafe\u0301', 100), 'Caf\u00e9');
  });

  test('a long name is cut to maxBytes without splitting characters', () => {
    const title = 'é'.repeat(300); // 600 bytes
    const cleaned = cleanNamePart(title, 101);
    assert.equal(cleaned, 'é'.repeat(50));
    assertSafeComponent(cleaned, 101);
  });

  test('a cut that ends in a dot loses the dot', () => {
    assert.equal(cleanNamePart(`${'a'.repeat(9)}.bbbb`, 10), 'a'.repeat(9));
  });

  test('a long device-like name with its underscore still fits maxBytes', () => {
    const cleaned = cleanNamePart(`nul.${'a'.repeat(300)}`, 100);
    assert.ok(bytes(cleaned) <= 100, `${bytes(cleaned)} bytes`);
    assert.ok(cleaned.startsWith('_nul.'));
    assertSafeComponent(cleaned, 100);
  });
});

describe('truncateUtf8', () => {
  test('leaves text that fits unchanged', () => {
    assert.equal(truncateUtf8('hello', 5), 'hello');
    assert.equal(truncateUtf8('', 0), '');
  });

  test('cuts ASCII at the byte limit', () => {
    assert.equal(truncateUtf8('abcdef', 4), 'abcd');
  });

  test('never splits a multi-byte character', () => {
    // '€' is 3 bytes: 4 bytes hold one, not one and a third.
    assert.equal(truncateUtf8('€€€', 4), '€');
    assert.equal(truncateUtf8('€€€', 6), '€€');
    assert.equal(truncateUtf8('€€€', 2), '');
  });

  test('never splits a surrogate pair (4-byte emoji)', () => {
    const out = truncateUtf8('😀😀😀', 7);
    assert.equal(out, '😀');
    assert.ok(!/[\uD800-\uDFFF]/.test(out.replace(/😀/g, '')), 'no lone surrogate');
  });

  test('never splits a grapheme: ZWJ family emoji and flags stay whole', () => {
    const family = '👨‍👩‍👧'; // 18 bytes
    assert.equal(bytes(family), 18);
    assert.equal(truncateUtf8(`${family}${family}`, 30), family);
    assert.equal(truncateUtf8('🇫🇷🇩🇪', 12), '🇫🇷');
    assert.equal(truncateUtf8('🇫🇷🇩🇪', 7), '');
  });

  test('keeps a base letter with its combining accent together', () => {
    assert.equal(truncateUtf8('e\u0301e\u0301', 4), 'e\u0301');
  });

  test('the result is always a prefix within the limit', () => {
    const text = 'aé€😀👨‍👩‍👧'.repeat(20);
    for (let max = 0; max <= bytes(text) + 1; max += 1) {
      const out = truncateUtf8(text, max);
      assert.ok(bytes(out) <= max, `${bytes(out)} > ${max}`);
      assert.ok(text.startsWith(out));
      assert.ok(!out.includes('\uFFFD'));
    }
  });
});

describe('videoFileStem', () => {
  test('is "<date> <title> [<id>]"', () => {
    assert.equal(videoFileStem({ date: DATE, title: 'Episode 1', externalId: 'ep-1' }), '2024-03-09 Episode 1 [ep-1]');
  });

  test('uses the UTC date', () => {
    const stem = videoFileStem({ date: new Date('2024-03-09T23:30:00-05:00'), title: 't', externalId: 'x' });
    assert.ok(stem.startsWith('2024-03-10 '), stem);
  });

  for (const [name, title] of HOSTILE_TITLES) {
    test(`is a safe component for a title with ${name}`, () => {
      const stem = videoFileStem({ date: DATE, title, externalId: 'id-1' });
      assertSafeComponent(stem);
      assertSafeComponent(`${stem}${LONGEST_SUFFIX}`);
      assert.ok(stem.endsWith(' [id-1]'), stem);
    });
  }

  test('an empty title becomes "untitled"', () => {
    assert.equal(videoFileStem({ date: DATE, title: '\u202E', externalId: 'id' }), '2024-03-09 untitled [id]');
  });

  for (const [name, unit] of [
    ['ASCII', 'a'],
    ['2-byte letters', 'é'],
    ['3-byte CJK', '語'],
    ['4-byte emoji', '😀'],
    ['ZWJ emoji sequences', '👩‍🚀'],
    ['mixed', 'aé語😀👩‍🚀 '],
  ] as const) {
    test(`a 300+ byte title of ${name} fits 255 bytes with .webm.part, unsplit`, () => {
      const title = unit.repeat(Math.ceil(400 / bytes(unit)));
      assert.ok(bytes(title) > 300);
      const stem = videoFileStem({ date: DATE, title, externalId: 'abc123' });
      assert.ok(bytes(`${stem}.webm.part`) <= MAX_FILENAME_BYTES, `${bytes(`${stem}.webm.part`)} bytes`);
      assertSafeComponent(`${stem}.webm.part`);
      const kept = stem.slice('2024-03-09 '.length, -' [abc123]'.length);
      assert.ok(title.startsWith(kept), 'the title is cut, not mangled');
      assert.ok(kept.length > 0);
      if (unit !== 'aé語😀👩‍🚀 ') assert.equal(kept.length % unit.length, 0, 'cut on a whole character');
    });
  }

  test('a long title still uses most of the room', () => {
    const stem = videoFileStem({ date: DATE, title: 'a'.repeat(400), externalId: 'abc' });
    assert.equal(bytes(`${stem}.webm.part.resume.json`), MAX_FILENAME_BYTES, 'the resume record is the longest name');
  });

  test('a long device-like title with .webm.part fits 255 bytes', () => {
    const stem = videoFileStem({ date: DATE, title: `nul.${'a'.repeat(400)}`, externalId: 'abc' });
    assert.ok(bytes(`${stem}.webm.part`) <= MAX_FILENAME_BYTES, `${bytes(`${stem}.webm.part`)} bytes`);
  });

  test('a long URL id and a long title together still fit', () => {
    const externalId = `https://example.com/${'é/'.repeat(200)}?a=b`;
    const stem = videoFileStem({ date: DATE, title: '😀'.repeat(200), externalId });
    assertSafeComponent(`${stem}${LONGEST_SUFFIX}`);
  });

  test('"evil.exe" as a title does not give the file an .exe extension', () => {
    const stem = videoFileStem({ date: DATE, title: 'evil.exe', externalId: 'x1' });
    assert.ok(stem.endsWith('[x1]'), stem);
    assert.notEqual(path.extname(stem).toLowerCase(), '.exe', 'the stem must not end in the title\'s extension');
    assert.ok(!/\.[a-z0-9]{1,5}$/i.test(stem), `${stem} ends in something that looks like an extension`);
    assert.equal(path.extname(`${stem}.mp4`), '.mp4');
    assert.equal(path.extname(`${stem}.mp4.part`), '.part');
  });

  test('a hostile id cannot break out of its brackets or the folder', () => {
    const stem = videoFileStem({ date: DATE, title: 'ok', externalId: '../../etc/passwd' });
    assertSafeComponent(stem);
    assert.match(stem, /^2024-03-09 ok \[[A-Za-z0-9._-]+\]$/);
  });

  test('an id of only dots carries no ".." and is hashed', () => {
    const stem = videoFileStem({ date: DATE, title: 't', externalId: '..' });
    assert.match(stem, /^2024-03-09 t \[_-[0-9a-f]{12}\]$/);
  });

  test('an id with a leading dash is hashed, so it stays apart from the id without it', () => {
    const dashed = videoFileStem({ date: DATE, title: 't', externalId: '-rf' });
    assert.match(dashed, /^2024-03-09 t \[-rf-[0-9a-f]{12}\]$/);
    assert.notEqual(dashed, videoFileStem({ date: DATE, title: 't', externalId: 'rf' }));
  });

  test('different URL ids that clean alike give different stems', () => {
    const a = videoFileStem({ date: DATE, title: 't', externalId: 'https://example.com/a?b' });
    const b = videoFileStem({ date: DATE, title: 't', externalId: 'https://example.com/a&b' });
    assert.notEqual(a, b);
  });
});

describe('safeIdPart and videoWorkflowId', () => {
  for (const id of ['dQw4w9WgXcQ', 'ep-1', '0123', 'a.b_c-D', 'x'.repeat(64)]) {
    test(`keeps the plain id ${id.length > 20 ? `${id.slice(0, 10)}…` : id} as it is`, () => {
      assert.equal(safeIdPart(id), id);
    });
  }

  test('cleans a URL id and adds a 12-hex-digit hash', () => {
    const part = safeIdPart('https://example.com/ep/1?x=y');
    assert.match(part, /^https_example\.com_ep_1_x_y-[0-9a-f]{12}$/);
  });

  test('the hash suffix is stable', () => {
    assert.equal(safeIdPart('urn:uuid:1234'), safeIdPart('urn:uuid:1234'));
  });

  test('an id over 64 characters is hashed even if plain', () => {
    const id = 'a'.repeat(65);
    const part = safeIdPart(id);
    assert.notEqual(part, id);
    assert.match(part, /^a{60}-[0-9a-f]{12}$/);
  });

  test('the cleaned part is short and only [A-Za-z0-9._-]', () => {
    const part = safeIdPart(`${'/日本/'.repeat(100)}\u0000\n\u202E`);
    assert.match(part, /^[A-Za-z0-9._-]+$/);
    assert.ok(part.length <= 73, `${part.length} characters`);
  });

  test('two ids that clean to the same text still differ', () => {
    const pairs: [string, string][] = [
      ['a/b', 'a?b'],
      ['https://example.com/x', 'https://example.com/x/'.slice(0, -1) + '?'],
      ['日本', '中国'],
      [`${'a'.repeat(60)}/1`, `${'a'.repeat(60)}/2`], // differ only after the 60-character cut
    ];
    for (const [a, b] of pairs) {
      assert.notEqual(a, b);
      assert.notEqual(safeIdPart(a), safeIdPart(b), `${a} and ${b} collide`);
    }
  });

  test('the empty id is not kept as-is', () => {
    assert.match(safeIdPart(''), /^-[0-9a-f]{12}$/);
  });

  test('videoWorkflowId is parker-video-<channel>-<safe id>', () => {
    assert.equal(videoWorkflowId('news', 'ep-1'), 'parker-video-news-ep-1');
    const id = videoWorkflowId('news', 'https://example.com/ep/1');
    assert.match(id, /^parker-video-news-https_example\.com_ep_1-[0-9a-f]{12}$/);
  });

  test('workflow ids differ for different channels and different ids', () => {
    assert.notEqual(videoWorkflowId('a', 'x'), videoWorkflowId('b', 'x'));
    assert.notEqual(videoWorkflowId('a', 'x/1'), videoWorkflowId('a', 'x?1'));
  });
});
