import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, filterListing, publishedAfterTime } from '../../src/rules/filters.ts';
import { formatClock, parseClockSeconds, parseLengthSeconds } from '../../src/rules/durations.ts';
import { InvalidRulesError } from '../../src/errors.ts';
import type { ChannelRules } from '../../src/shared/crawl.ts';
import type { ListedVideo } from '../../src/shared/listing.ts';

// The channel rules as a pure function of a listing, the rules and the clock.

const NOW = new Date('2026-06-30T12:00:00Z');

/** An entry published `day` days into June 2026 (a larger day is newer). */
function entry(id: string, day: number, extra: Partial<ListedVideo> = {}): ListedVideo {
  return { externalId: id, title: `Video ${id}`, mediaUrl: `https://example.com/${id}.mp4`, publishedAt: new Date(Date.UTC(2026, 5, day)).toISOString(), ...extra };
}

function skipped(entries: ListedVideo[], rules: ChannelRules | undefined): Record<string, string> {
  return Object.fromEntries(filterListing(entries, compileRules(rules, NOW)));
}

describe('filterListing', () => {
  test('no rules skip nothing, Shorts and live streams included', () => {
    const entries = [entry('a', 1, { isShort: true }), entry('b', 2, { isLive: true }), entry('c', 3)];
    assert.deepEqual(skipped(entries, undefined), {});
    assert.deepEqual(skipped(entries, {}), {});
  });

  test('title_include keeps only matching titles, case-insensitively, and names the rule', () => {
    const entries = [entry('a', 1, { title: 'Weekly NEWS 12' }), entry('b', 2, { title: 'Cooking with Bob' })];
    assert.deepEqual(skipped(entries, { titleInclude: 'news \\d+' }), {
      b: 'filter: title does not match /news \\d+/ (title_include)',
    });
  });

  test('title_exclude skips matching titles', () => {
    const entries = [entry('a', 1, { title: 'Trailer: next week' }), entry('b', 2, { title: 'Episode 4' })];
    assert.deepEqual(skipped(entries, { titleExclude: '^trailer' }), { a: 'filter: title matches /^trailer/ (title_exclude)' });
  });

  test('min and max duration skip what is outside; an unknown length passes both', () => {
    const entries = [
      entry('short', 1, { durationSeconds: 45 }),
      entry('fine', 2, { durationSeconds: 600 }),
      entry('long', 3, { durationSeconds: 4 * 3600 + 5 }),
      entry('unknown', 4),
      entry('edge', 5, { durationSeconds: 60 }),
    ];
    assert.deepEqual(skipped(entries, { minDurationSeconds: 60, maxDurationSeconds: 3600 }), {
      short: 'filter: 0:45 long, shorter than min_duration 1:00',
      long: 'filter: 4:00:05 long, longer than max_duration 1:00:00',
    });
  });

  test('published_after: a date, or an age counted back from now; an undated entry passes', () => {
    const entries = [entry('old', 1), entry('new', 25), entry('undated', 0, { publishedAt: undefined })];
    assert.deepEqual(skipped(entries, { publishedAfter: '2026-06-10' }), {
      old: 'filter: published 2026-06-01, before published_after 2026-06-10',
    });
    // 30 June 12:00 minus 7 days: 23 June 12:00.
    assert.deepEqual(skipped(entries, { publishedAfter: '7d' }), {
      old: 'filter: published 2026-06-01, before published_after 7d (2026-06-23)',
    });
    assert.deepEqual(skipped([entry('x', 24)], { publishedAfter: '7d' }), {}, 'a day after the cut-off is kept');
  });

  test('max_items keeps the newest N of what the other rules let through, whatever the feed order', () => {
    const entries = [entry('d2', 2), entry('d5', 5), entry('d1', 1), entry('d4', 4, { title: 'Trailer' }), entry('d3', 3)];
    assert.deepEqual(skipped(entries, { maxItems: 2, titleExclude: 'trailer' }), {
      d4: 'filter: title matches /trailer/ (title_exclude)',
      d2: 'filter: older than the newest 2 (max_items)',
      d1: 'filter: older than the newest 2 (max_items)',
    });
  });

  test('entries the source cannot download are neither judged nor counted by max_items', () => {
    const entries = [entry('no-media', 9, { skipReason: 'no downloadable media link in the feed entry', title: 'x' }), entry('a', 2), entry('b', 1)];
    assert.deepEqual(skipped(entries, { maxItems: 1, titleInclude: 'video' }), { b: 'filter: older than the newest 1 (max_items)' });
  });

  test('include: shorts false and live false skip them with their own reasons', () => {
    const entries = [entry('short', 1, { isShort: true }), entry('live', 2, { isLive: true }), entry('plain', 3)];
    assert.deepEqual(skipped(entries, { shorts: false }), { short: 'filter: shorts excluded' });
    assert.deepEqual(skipped(entries, { live: false }), { live: 'filter: live streams excluded' });
    assert.deepEqual(skipped(entries, { shorts: false, live: false }), {
      short: 'filter: shorts excluded',
      live: 'filter: live streams excluded',
    });
  });

  test('a repeated external id is judged once, as its first occurrence', () => {
    const entries = [entry('a', 2, { title: 'keep' }), entry('a', 3, { title: 'drop' })];
    assert.deepEqual(skipped(entries, { titleExclude: 'drop' }), {});
  });
});

describe('compileRules: rules typed by hand into a crawl input', () => {
  for (const [rules, field] of [
    [{ titleInclude: '(' }, 'titleInclude'],
    [{ titleExclude: '[z-a]' }, 'titleExclude'],
    [{ publishedAfter: 'last tuesday' }, 'publishedAfter'],
    [{ publishedAfter: '2024-02-31' }, 'publishedAfter'],
    [{ minDurationSeconds: -1 }, 'minDurationSeconds'],
    [{ maxItems: '5' as unknown as number }, 'maxItems'],
  ] as Array<[ChannelRules, string]>) {
    test(`${JSON.stringify(rules)} is an InvalidRulesError naming rules.${field}`, () => {
      assert.throws(() => compileRules(rules, NOW), (error: unknown) => {
        assert.ok(error instanceof InvalidRulesError, String(error));
        assert.equal(error.retryable, false);
        assert.match(error.message, new RegExp(`^rules\\.${field}: `));
        return true;
      });
    });
  }
});

describe('durations and dates', () => {
  for (const [text, seconds] of [
    ['3725', 3725],
    ['62:05', 3725],
    ['1:02:05', 3725],
    ['00:00:45', 45],
    ['12.5', 12.5],
    ['1:75', undefined],
    ['1:02:03:04', undefined],
    ['about an hour', undefined],
    ['', undefined],
  ] as Array<[string, number | undefined]>) {
    test(`itunes:duration ${JSON.stringify(text)} → ${seconds}`, () => assert.equal(parseClockSeconds(text), seconds));
  }

  for (const [value, seconds] of [
    [90, 90],
    ['90', 90],
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
    ['1:30:00', 5400],
    [-5, undefined],
    ['ten minutes', undefined],
    [true, undefined],
  ] as Array<[unknown, number | undefined]>) {
    test(`a length of ${JSON.stringify(value)} → ${seconds}`, () => assert.equal(parseLengthSeconds(value), seconds));
  }

  test('formatClock', () => {
    assert.equal(formatClock(5), '0:05');
    assert.equal(formatClock(3725), '1:02:05');
  });

  test('publishedAfterTime: dates at UTC midnight, timestamps, ages, and nothing else', () => {
    assert.equal(publishedAfterTime('2024-01-01', NOW), Date.UTC(2024, 0, 1));
    assert.equal(publishedAfterTime('2024-01-01T10:00:00Z', NOW), Date.UTC(2024, 0, 1, 10));
    assert.equal(publishedAfterTime('30d', NOW), NOW.getTime() - 30 * 86_400_000);
    assert.equal(publishedAfterTime('2w', NOW), NOW.getTime() - 14 * 86_400_000);
    assert.equal(publishedAfterTime('2024-13-01', NOW), undefined);
    assert.equal(publishedAfterTime('yesterday', NOW), undefined);
    assert.equal(publishedAfterTime('30', NOW), undefined);
  });
});
