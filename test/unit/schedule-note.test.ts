import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScheduleOverlapPolicy, type ScheduleSummary } from '@temporalio/client';
import { PARKER_CHANNEL } from '../../src/shared/search-attributes.ts';
import { listedAsWanted, noteFor, type DesiredSchedule } from '../../src/temporal/upsert-schedule.ts';

// The schedule sync leaves a schedule alone when the schedule list shows it as it last
// made it for what is wanted now: its note's digest covers everything the full compare
// looks at, so any change of the channel's entry sends it to a describe and an update.

function desired(overrides: { url?: string; every?: number; offset?: number; taskQueue?: string; channel?: string } = {}): DesiredSchedule {
  const channel = overrides.channel ?? 'news';
  return {
    spec: { intervals: [{ every: overrides.every ?? 3_600_000, offset: overrides.offset ?? 60_000 }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'crawlChannel',
      workflowId: `parker-crawl-${channel}`,
      taskQueue: overrides.taskQueue ?? 'parker',
      args: [{ channel, url: overrides.url ?? 'https://example.org/news.xml', backfill: 3 }],
      typedSearchAttributes: [{ key: PARKER_CHANNEL, value: channel }],
      staticSummary: `Crawl of ${channel}`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: overrides.every ?? 3_600_000, pauseOnFailure: false },
  };
}

function listed(wanted: DesiredSchedule, changes: Partial<Pick<ScheduleSummary, 'state' | 'spec'>> = {}): ScheduleSummary {
  return {
    scheduleId: 'parker-channel-news',
    spec: { intervals: wanted.spec.intervals!.map((interval) => ({ every: Number(interval.every), offset: Number(interval.offset) })) },
    action: { type: 'startWorkflow', workflowType: 'crawlChannel' },
    state: { paused: false, note: noteFor(wanted) },
    info: { recentActions: [], nextActionTimes: [] },
    ...changes,
  };
}

describe('schedule notes', () => {
  test('the same wanted schedule gives the same note; any compared field changes it', () => {
    assert.equal(noteFor(desired()), noteFor(desired()));
    const changed = [
      desired({ url: 'https://example.org/moved.xml' }),
      desired({ every: 1_800_000 }),
      desired({ offset: 0 }),
      desired({ taskQueue: 'other' }),
      desired({ channel: 'sport' }),
    ].map(noteFor);
    assert.equal(new Set([noteFor(desired()), ...changed]).size, changed.length + 1);
    assert.match(noteFor(desired()), /^Managed by Parker from channels\.yaml.* Config [0-9a-f]{16}\.$/);
  });

  test('a listed schedule is as wanted only with its note, spec and workflow type', () => {
    const wanted = desired();
    assert.equal(listedAsWanted(listed(wanted), wanted), true);
    assert.equal(listedAsWanted(listed(wanted), desired({ url: 'https://example.org/moved.xml' })), false, 'the entry changed');
    assert.equal(listedAsWanted(listed(wanted, { state: { paused: true, note: 'paused by hand' } }), wanted), false, "a person's note");
    assert.equal(listedAsWanted(listed(wanted, { spec: { intervals: [{ every: 60_000, offset: 0 }] } }), wanted), false, 'the spec edited by hand');
    assert.equal(listedAsWanted(listed(wanted, { spec: undefined }), wanted), false, 'a list without the spec');
  });
});
