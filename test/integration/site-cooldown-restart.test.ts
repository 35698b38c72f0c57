import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto'; // CommonJS: its namespace comes as the default export
import { getCooldownUntil } from '../../src/db/cooldowns.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, settledVideos, sha256, testSettings, uniqueName, waitFor } from '../helpers/parker.ts';
import { workerProcessSuite } from '../helpers/worker-process-suite.ts';

// A worker killed with SIGKILL while a download waits out its site's cooldown, then
// started again. The wait is a durable timer in the download's history, so the new worker
// carries on from it: the transfer is tried again only once the cooldown is over, the
// file lands whole, and the cooldown is not started a second time.
//
// The site is a loopback address of its own (127.0.0.4), because the database, and so
// the cooldown, is shared by the test files running at once. The cooldown is long enough
// for the kill to land inside it with time to spare.

const SITE = '127.0.0.4';
const COOLDOWN_MS = 10_000;
const EventType = proto.temporal.api.enums.v1.EventType;

const suite = workerProcessSuite({ scratchPrefix: 'parker-cooldown-kill-', host: SITE });

async function historyOf(handle: WorkflowHandle) {
  return (await handle.fetchHistory()).events ?? [];
}

/** When a history event happened, in epoch milliseconds (protobuf seconds are a Long). */
function eventTimeMs(time: proto.google.protobuf.ITimestamp | null | undefined): number {
  assert.ok(time?.seconds, 'the event has a time');
  return time.seconds.toNumber() * 1000 + Math.floor((time.nanos ?? 0) / 1_000_000);
}

test('a worker killed during a site cooldown: the restarted worker waits out the rest, then downloads once, whole', { timeout: 150_000 }, async () => {
  const settings = testSettings(suite.scratch, { siteCooldownMs: COOLDOWN_MS, allowPrivate: [SITE] });
  const body = mediaBytes(500_000);
  const episode = podcastWithOneEpisode(
    suite.server,
    { body, contentType: 'audio/mpeg', etag: '"episode"' },
    { faults: [{ kind: 'status', status: 429 }] },
  );

  await suite.startWorker(settings);
  await suite.client.workflow.start(CRAWL_WORKFLOW, {
    taskQueue: settings.temporal.taskQueue,
    workflowId: uniqueName('cooldown-kill-crawl'),
    args: [episode.input],
  });

  const until = await waitFor(() => getCooldownUntil(suite.db, SITE), 'the 429 to start the cooldown', 60_000);
  const download = suite.client.workflow.getHandle(videoWorkflowId(episode.channel, episode.externalId));
  // Asleep on its timer: from here on the wait belongs to the history, not to the worker.
  await waitFor(
    async () => ((await historyOf(download)).some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) ? true : undefined),
    'the download to wait on its cooldown timer',
  );
  assert.ok(Date.now() < until.getTime() - 2_000, 'the kill lands well inside the cooldown');
  await suite.workers[0]!.kill('SIGKILL');
  await suite.startWorker(settings);

  const [video] = await settledVideos(suite.db, episode.channel, 120_000);
  assert.ok(Date.now() >= until.getTime(), 'finished only after the cooldown');
  assert.equal(video?.status, 'downloaded', `${video?.reason}\n${suite.workers[1]!.output()}`);
  assert.equal(video.sha256, sha256(body));
  assert.equal(sha256(await readFile(video.filePath!)), sha256(body));

  const stats = suite.server.stats(episode.mediaPath);
  assert.equal(stats.requests, 2, 'the 429, then one fetch after the cooldown');
  assert.equal(stats.fullBodies, 1);

  const scheduled = (await historyOf(download)).filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  const named = (name: string) => scheduled.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name);
  assert.equal(named('startSiteCooldown').length, 1, 'one cooldown started');
  const transfers = named('downloadMedia');
  assert.equal(transfers.length, 2, 'the throttled transfer and one after the cooldown');
  assert.ok(eventTimeMs(transfers[1]!.eventTime) >= until.getTime(), 'the transfer was tried again only after cooldown_until');
  assert.deepEqual(await getCooldownUntil(suite.db, SITE), until, 'the cooldown was neither extended nor restarted');
});
