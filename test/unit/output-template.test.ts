import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  DEFAULT_OUTPUT_TEMPLATE,
  expandOutputTemplate,
  outputTemplateProblem,
  STEM_RESERVED_BYTES,
  stemWithCounter,
} from '../../src/naming/output-template.ts';
import { MAX_FILENAME_BYTES } from '../../src/naming/safe-filename.ts';
import { relativeStemFor } from '../../src/naming/video-paths.ts';
import { finalPathFor, partPathFor } from '../../src/naming/video-paths.ts';
import { resumeRecordPath } from '../../src/downloaders/part-file.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const DATE = new Date('2024-03-09T23:59:59Z');
const VALUES = { channel: 'news', title: 'Episode 1', externalId: 'ep-1', date: DATE, uploader: 'Ann' };

const HOSTILE = [
  '../../x',
  '../../../../../../etc/passwd',
  '/',
  '\\',
  '..\\..\\Windows',
  'a\u0000b',
  'line one\nline two',
  'invoice\u202Efdp.exe',
  'CON',
  'con.mp4',
  '-rf --no-preserve-root',
  '...hidden',
  '.',
  '..',
  'a:b*c?d"e<f>g|h',
  '',
  '   ',
  '😀'.repeat(300),
  'a'.repeat(1000),
  `nul.${'é'.repeat(400)}`,
];

/** Each component a safe, single name; the whole stem stays inside any folder it is joined to. */
function assertSafeStem(stem: string): void {
  const components = stem.split('/');
  for (const [index, component] of components.entries()) {
    const limit = MAX_FILENAME_BYTES - (index === components.length - 1 ? STEM_RESERVED_BYTES : 0);
    assert.ok(component.length > 0, `empty component in ${JSON.stringify(stem)}`);
    assert.ok(component !== '.' && component !== '..' && !component.includes('..'), `${JSON.stringify(component)} climbs`);
    assert.ok(!/[\\\u0000-\u001f\u202e:*?"<>|]/.test(component), `${JSON.stringify(component)} has a forbidden character`);
    assert.ok(!/^[.-]/.test(component) && !/[. ]$/.test(component), `${JSON.stringify(component)} starts or ends badly`);
    assert.ok(bytes(component) <= limit, `${JSON.stringify(component)} is ${bytes(component)} bytes, over ${limit}`);
    assert.ok(!component.includes('\uFFFD'), 'a character was split');
  }
  const root = '/downloads';
  assert.ok(path.resolve(root, stem).startsWith(`${root}/`), `${stem} leaves the folder`);
}

describe('outputTemplateProblem', () => {
  test('accepts the default and templates that use every placeholder', () => {
    assert.equal(outputTemplateProblem(DEFAULT_OUTPUT_TEMPLATE), undefined);
    assert.equal(outputTemplateProblem('{uploader}/{channel} - {date}/{title} ({id}).{ext}'), undefined);
    assert.equal(outputTemplateProblem('{title}.{ext}'), undefined);
  });

  const bad: [string, string, RegExp][] = [
    ['an unknown placeholder', '{channel}/{name}.{ext}', /unknown placeholder \{name\}/],
    ['an empty placeholder', '{channel}/{}.{ext}', /unknown placeholder \{\}/],
    ['an absolute path', '/srv/{title}.{ext}', /relative path/],
    ['a Windows absolute path', 'C:/x/{title}.{ext}', /relative path/],
    ['a parent folder', '{channel}/../{title}.{ext}', /"\.\."/],
    ['a leading parent folder', '../{title}.{ext}', /"\.\."/],
    ['a dot folder', './{title}.{ext}', /"\.\."|"\."/],
    ['a backslash', '{channel}\\{title}.{ext}', /"\/"/],
    ['no extension', '{channel}/{title}', /\.\{ext\}/],
    ['{ext} twice', '{ext}/{title}.{ext}', /\.\{ext\}/],
    ['an unmatched brace', '{channel}/{title.{ext}', /unknown placeholder|unmatched/],
    ['a stray closing brace', '{channel}/title}.{ext}', /unmatched/],
    ['an empty folder', '{channel}//{title}.{ext}', /empty folder/],
    ['only an extension', '{channel}/.{ext}', /file name before/],
    ['empty', '', /empty/],
  ];
  for (const [name, template, message] of bad) {
    test(`refuses ${name}`, () => {
      const problem = outputTemplateProblem(template);
      assert.ok(problem, `${template} was accepted`);
      assert.match(problem, message);
    });
  }
});

describe('expandOutputTemplate', () => {
  test('the default gives exactly the name Parker always gave', () => {
    assert.equal(expandOutputTemplate(DEFAULT_OUTPUT_TEMPLATE, VALUES), 'news/2024-03-09 Episode 1 [ep-1]');
    for (const title of HOSTILE) {
      for (const externalId of ['ep-1', '../../etc/passwd', 'https://example.com/a?b', '-rf', 'x'.repeat(300)]) {
        for (const channel of ['news', 'A'.repeat(63)]) {
          const values = { channel, title, externalId, date: DATE };
          assert.equal(expandOutputTemplate(DEFAULT_OUTPUT_TEMPLATE, values), relativeStemFor(channel, values));
        }
      }
    }
  });

  test('fills every placeholder', () => {
    assert.equal(
      expandOutputTemplate('{uploader}/{channel} {date}/{title} [{id}].{ext}', VALUES),
      'Ann/news 2024-03-09/Episode 1 [ep-1]',
    );
  });

  test('{uploader} falls back to the channel when the source did not say', () => {
    assert.equal(expandOutputTemplate('{uploader}/{title}.{ext}', { ...VALUES, uploader: undefined }), 'news/Episode 1');
  });

  test('the date is the UTC day', () => {
    assert.equal(expandOutputTemplate('{date}.{ext}', { ...VALUES, date: new Date('2024-03-09T23:30:00-05:00') }), '2024-03-10');
  });

  for (const hostile of HOSTILE) {
    test(`a hostile value stays one safe name: ${JSON.stringify(hostile.slice(0, 30))}`, () => {
      const template = '{uploader}/{title}/{date} {title} {title} [{id}].{ext}';
      assertSafeStem(expandOutputTemplate(template, { channel: hostile || 'x', title: hostile, externalId: hostile || 'id', date: DATE, uploader: hostile }));
      assertSafeStem(expandOutputTemplate(DEFAULT_OUTPUT_TEMPLATE, { ...VALUES, title: hostile, uploader: hostile }));
    });
  }

  test('literal text in the template is cleaned like a title', () => {
    assert.equal(expandOutputTemplate('{channel}/a:b? {title}..{ext}', VALUES), 'news/a_b_ Episode 1');
  });

  test('a long title is cut so the id survives and the part\'s resume record still fits', () => {
    const stem = expandOutputTemplate(DEFAULT_OUTPUT_TEMPLATE, { ...VALUES, title: 'ж'.repeat(500) });
    assert.match(stem, / \[ep-1\]$/);
    const target = { mediaUrl: 'http://x', relativeStem: stem, declaredExt: 'webm', method: 'http' };
    assert.ok(bytes(path.basename(resumeRecordPath(partPathFor('/d', target)))) <= MAX_FILENAME_BYTES);
    assert.ok(bytes(path.basename(finalPathFor('/d', target, 'info.json'))) <= MAX_FILENAME_BYTES);
  });

  test('two uses of {title} in one name share its room', () => {
    const stem = expandOutputTemplate('{title} - {title}.{ext}', { ...VALUES, title: 'a'.repeat(400) });
    assert.ok(bytes(stem) <= MAX_FILENAME_BYTES - STEM_RESERVED_BYTES);
    assert.match(stem, /^a+ - a+$/);
  });
});

describe('stemWithCounter', () => {
  test('appends the counter to the file name, not to a folder', () => {
    assert.equal(stemWithCounter('news/Same title', 2), 'news/Same title (2)');
    assert.equal(stemWithCounter('Same', 12), 'Same (12)');
  });

  test('keeps the room for the extension and the resume record', () => {
    const stem = expandOutputTemplate('{channel}/{title}.{ext}', { ...VALUES, title: 'b'.repeat(600) });
    const counted = stemWithCounter(stem, 999);
    assert.match(counted, / \(999\)$/);
    assertSafeStem(counted);
    assert.notEqual(counted, stem);
  });

  test('the same template and values give the same stem; a counter makes it differ', () => {
    const a = expandOutputTemplate('{channel}/{title}.{ext}', { ...VALUES, externalId: 'a' });
    const b = expandOutputTemplate('{channel}/{title}.{ext}', { ...VALUES, externalId: 'b' });
    assert.equal(a, b, 'the template alone collides');
    assert.notEqual(stemWithCounter(b, 2), a);
  });
});
