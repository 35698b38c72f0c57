import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRecording, type RecordingInput, type SkipKind } from '../../src/rules/recording.ts';
import type { ListedVideo } from '../../src/shared/listing.ts';

// The recording rules as a pure function of a listing, the rows the store knows, the
// channel rules' verdicts and the backfill limit.

/** An entry published `day` days into 2024 (a larger day is newer). */
function entry(id: string, day: number, extra: Partial<ListedVideo> = {}): ListedVideo {
  return { externalId: id, title: `Video ${id}`, mediaUrl: `https://example.org/${id}.mp3`, publishedAt: new Date(Date.UTC(2024, 0, day)).toISOString(), ...extra };
}

function plan(listed: ListedVideo[], options: Partial<Omit<RecordingInput, 'listed'>> = {}) {
  return planRecording({ listed, known: new Map(), filtered: new Map(), ...options });
}

/** Each entry's status, skip kind and reason, by external id. */
function decisions(result: ReturnType<typeof plan>): Record<string, [string, SkipKind | undefined, string | undefined]> {
  return Object.fromEntries(result.entries.map((record) => [record.entry.externalId, [record.status, record.skipKind, record.reason]]));
}

const NONE_SKIPPED = { backfillLimit: 0, notDownloadable: 0, filtered: 0 };

describe('planRecording', () => {
  test('new entries the rules let through are discovered and downloadable, newest first', () => {
    const result = plan([entry('old', 1), entry('new', 3), entry('middle', 2)]);
    assert.deepEqual(decisions(result), {
      new: ['discovered', undefined, undefined],
      middle: ['discovered', undefined, undefined],
      old: ['discovered', undefined, undefined],
    });
    assert.deepEqual(result.entries.map((record) => record.entry.externalId), ['new', 'middle', 'old']);
    assert.deepEqual(result.downloadable, ['new', 'middle', 'old']);
    assert.deepEqual(result.outcome, { entries: 3, new: 3, discovered: 3, skipped: NONE_SKIPPED });
    assert.deepEqual(result.reopen, []);
  });

  test("an entry the source cannot download is skipped as not_downloadable with the source's reason", () => {
    const result = plan([entry('no-media', 1, { skipReason: 'no downloadable media link in the feed entry' }), entry('ok', 2)]);
    assert.deepEqual(decisions(result)['no-media'], ['skipped', 'not_downloadable', 'no downloadable media link in the feed entry']);
    assert.deepEqual(result.downloadable, ['ok']);
    assert.deepEqual(result.outcome, { entries: 2, new: 2, discovered: 1, skipped: { ...NONE_SKIPPED, notDownloadable: 1 } });
  });

  test("an entry a channel rule skips is skipped as filtered with the rule's reason; the source's reason comes first", () => {
    const filtered = new Map([
      ['short', 'filter: shorts excluded'],
      ['no-media', 'filter: title matches /x/ (title_exclude)'],
    ]);
    const result = plan([entry('short', 1), entry('no-media', 2, { skipReason: 'no media link' }), entry('ok', 3)], { filtered });
    assert.deepEqual(decisions(result), {
      ok: ['discovered', undefined, undefined],
      'no-media': ['skipped', 'not_downloadable', 'no media link'],
      short: ['skipped', 'filtered', 'filter: shorts excluded'],
    });
    assert.deepEqual(result.outcome, { entries: 3, new: 3, discovered: 1, skipped: { ...NONE_SKIPPED, notDownloadable: 1, filtered: 1 } });
  });

  test('the backfill limit keeps the newest N that pass the rules; older and undated ones are skipped as backfill_limit', () => {
    const result = plan(
      [
        entry('undated', 0, { publishedAt: undefined }),
        entry('oldest', 1),
        entry('older', 2),
        entry('newer-short', 4),
        entry('newer-no-media', 5, { skipReason: 'no media link' }),
        entry('newer', 3),
        entry('newest', 6),
      ],
      { backfill: 2, filtered: new Map([['newer-short', 'filter: shorts excluded']]) },
    );
    const reason = "older than the newest 2 on the channel's first crawl (backfill limit)";
    assert.deepEqual(decisions(result), {
      newest: ['discovered', undefined, undefined],
      'newer-no-media': ['skipped', 'not_downloadable', 'no media link'],
      'newer-short': ['skipped', 'filtered', 'filter: shorts excluded'],
      newer: ['discovered', undefined, undefined],
      older: ['skipped', 'backfill_limit', reason],
      oldest: ['skipped', 'backfill_limit', reason],
      undated: ['skipped', 'backfill_limit', reason],
    });
    assert.deepEqual(result.downloadable, ['newest', 'newer'], 'the entries skipped by the source or a rule left room for newer');
    assert.deepEqual(result.outcome, { entries: 7, new: 7, discovered: 2, skipped: { backfillLimit: 3, notDownloadable: 1, filtered: 1 } });
  });

  test('a backfill of 0 skips every entry that passes the rules; none lets all through', () => {
    assert.deepEqual(plan([entry('a', 1), entry('b', 2)], { backfill: 0 }).outcome.skipped, { ...NONE_SKIPPED, backfillLimit: 2 });
    assert.deepEqual(plan([entry('a', 1), entry('b', 2)]).outcome.skipped, NONE_SKIPPED);
  });

  test('known entries are not counted as new, nor towards the backfill limit', () => {
    const known = new Map<string, SkipKind | undefined>([
      ['known-newest', undefined],
      ['known-skipped', 'not_downloadable'],
    ]);
    const result = plan(
      [entry('known-newest', 9), entry('known-skipped', 8, { skipReason: 'no media link' }), entry('new', 2), entry('newer', 3), entry('old', 1)],
      { known, backfill: 2 },
    );
    assert.deepEqual(
      result.entries.map((record) => [record.entry.externalId, record.isNew]),
      [['known-newest', false], ['known-skipped', false], ['newer', true], ['new', true], ['old', true]],
    );
    assert.deepEqual(result.downloadable, ['newer', 'new'], 'only new entries are downloadable');
    assert.deepEqual(result.outcome, { entries: 5, new: 3, discovered: 2, skipped: { ...NONE_SKIPPED, backfillLimit: 1 } });
  });

  test('an id listed twice is recorded and counted once, as first listed', () => {
    const result = plan([entry('dup', 2, { title: 'First' }), entry('dup', 5, { title: 'Second' }), entry('other', 3)]);
    assert.deepEqual(result.entries.map((record) => [record.entry.externalId, record.entry.title]), [['other', 'Video other'], ['dup', 'First']]);
    assert.deepEqual(result.downloadable, ['other', 'dup']);
    assert.deepEqual(result.outcome, { entries: 2, new: 2, discovered: 2, skipped: NONE_SKIPPED });
  });

  describe('reopening rows a first crawl skipped for its backfill limit', () => {
    const known = new Map<string, SkipKind | undefined>([
      ['past-limit', 'backfill_limit'],
      ['past-limit-now-filtered', 'backfill_limit'],
      ['past-limit-now-undownloadable', 'backfill_limit'],
      ['was-filtered', 'filtered'],
      ['was-undownloadable', 'not_downloadable'],
      ['downloaded', undefined],
    ]);
    const listed = [
      entry('past-limit', 1),
      entry('past-limit-now-filtered', 2),
      entry('past-limit-now-undownloadable', 3, { skipReason: 'no media link' }),
      entry('was-filtered', 4),
      entry('was-undownloadable', 5),
      entry('downloaded', 6),
      entry('new', 7),
    ];
    const filtered = new Map([['past-limit-now-filtered', 'filter: shorts excluded']]);

    test('a deeper backfill reopens only those the rules let through now, after the new ones', () => {
      const result = plan(listed, { known, filtered, reopenBackfillSkips: true });
      assert.deepEqual(result.reopen, ['past-limit']);
      assert.deepEqual(result.downloadable, ['new', 'past-limit']);
      assert.deepEqual(result.outcome, { entries: 7, new: 1, discovered: 1, skipped: NONE_SKIPPED }, 'a reopened row is not new');
    });

    test('a crawl reopens nothing', () => {
      const result = plan(listed, { known, filtered });
      assert.deepEqual(result.reopen, []);
      assert.deepEqual(result.downloadable, ['new']);
    });
  });
});
