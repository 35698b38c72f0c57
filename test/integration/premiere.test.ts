import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import proto from '@temporalio/proto'; // CommonJS: its namespace comes as the default export
import { recordListing } from '../../src/db/listing.ts';
import { getVideo } from '../../src/db/videos.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { DOWNLOAD_WORKFLOW } from '../../src/shared/names.ts';
import type { DownloadInput, DownloadSummary } from '../../src/shared/download.ts';
import { UPCOMING_GRACE_MS } from '../../src/workflows/policies.ts';
import { startParker, uniqueName, type TestParker } from '../helpers/parker.ts';

// A premiere: the first yt-dlp run says the video is not released yet and when it will
// be. The download workflow must wait on a durable timer (a TimerStarted event in its
// history, so a worker restart cannot lose the wait) for the announced start plus the
// grace, then download, rather than fail or retry in a loop. The stand-in yt-dlp plays
// YouTube here: a real premiere cannot be staged on 127.0.0.1.

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fake-ytdlp.sh');
const EventType = proto.temporal.api.enums.v1.EventType;

let parker: TestParker;
let scratch: string;

before(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-premiere-'));
  parker = await startParker({ ytdlp: { path: FAKE, allowOutdated: false } });
});
after(async () => {
  await parker?.stop();
  delete process.env.FAKE_YTDLP_MODE;
  delete process.env.FAKE_YTDLP_COUNTER;
  rmSync(scratch, { recursive: true, force: true });
});

function seconds(duration: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(duration?.seconds ?? 0) + (duration?.nanos ?? 0) / 1e9;
}

describe('premiere', () => {
  test('"This live event will begin in 2 seconds" is waited for on a durable timer, then downloaded', async () => {
    const channel = uniqueName('premiere');
    const externalId = 'premiere01';
    const counter = path.join(scratch, 'runs');
    process.env.FAKE_YTDLP_MODE = 'premiere';
    process.env.FAKE_YTDLP_COUNTER = counter;
    await recordListing(
      parker.db,
      { name: channel, url: 'https://www.youtube.com/@premiere' },
      {
        kind: 'youtube',
        entries: [
          {
            externalId,
            title: 'The premiere',
            mediaUrl: 'https://www.youtube.com/watch?v=premiere01',
            downloader: 'ytdlp',
            publishedAt: '2026-01-01T00:00:00Z',
          },
        ],
      },
      1,
    );

    const handle = await parker.client.workflow.start<(input: DownloadInput) => Promise<DownloadSummary>>(DOWNLOAD_WORKFLOW, {
      taskQueue: parker.taskQueue,
      workflowId: videoWorkflowId(channel, externalId),
      args: [{ channel, externalId }],
      workflowExecutionTimeout: '3m',
    });
    const started = Date.now();
    const summary = await handle.result();
    const waited = Date.now() - started;

    assert.equal(summary.status, 'downloaded');
    assert.equal(readFileSync(summary.filePath, 'utf8'), 'premiere media bytes\n');
    assert.equal((await getVideo(parker.db, { channel, externalId }))?.status, 'downloaded');
    assert.equal(readFileSync(counter, 'utf8').trim(), '2', 'yt-dlp ran twice: before and after the release');

    const events = (await handle.fetchHistory()).events ?? [];
    const timers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    assert.equal(timers.length, 1, 'one durable timer');
    // The announced start, plus the grace the site needs to publish it.
    assert.equal(seconds(timers[0]!.timerStartedEventAttributes?.startToFireTimeout) * 1000, 2_000 + UPCOMING_GRACE_MS);
    assert.equal(events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED).length, 1);
    // The first transfer failed once (not retried by the activity's own policy), the timer
    // ran, and only then was the transfer scheduled again.
    // Activities named by type (other activities, such as the site cooldown check, may
    // run in between and are left out of the comparison).
    const scheduled = new Map(
      events
        .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?']),
    );
    const order = events.flatMap((e) => {
      if (e.eventType === EventType.EVENT_TYPE_TIMER_STARTED || e.eventType === EventType.EVENT_TYPE_TIMER_FIRED) {
        return [EventType[e.eventType]];
      }
      const ended = e.activityTaskFailedEventAttributes ?? e.activityTaskCompletedEventAttributes;
      if (!ended) return [];
      const type = scheduled.get(String(ended.scheduledEventId));
      if (type !== 'downloadMedia' && type !== 'finalizeDownload') return [];
      return [`${e.activityTaskFailedEventAttributes ? 'failed' : 'completed'} ${type}`];
    });
    assert.deepEqual(order, [
      'failed downloadMedia',
      'EVENT_TYPE_TIMER_STARTED',
      'EVENT_TYPE_TIMER_FIRED',
      'completed downloadMedia',
      'completed finalizeDownload', // the rename into place
    ]);
    assert.ok(waited >= 2_000 + UPCOMING_GRACE_MS, `the workflow waited ${waited}ms`);
  });
});
