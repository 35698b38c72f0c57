import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { services } from '../helpers/services.ts';
import { installQuietRuntime, workerTracingOptions } from '../helpers/time-skipping.ts';

// Replays the histories of test/fixtures/histories/ (recorded from real runs of the
// workflows: test/workflows/history-scenarios.ts, `npm run record-histories`) on today's
// workflow bundle, the one the worker runs. A change to a workflow that would break the
// workflows in flight at a deploy (another activity, another order, a timer more or
// less) fails here with a determinism error, instead of in production.
//
// protobufjs 8 is a direct dependency of Parker for this: with only OpenTelemetry's
// protobufjs 7 at the top of node_modules, @temporalio/common and @temporalio/proto each
// get a copy of 8 of their own, and reading a JSON history then fails with "type must be
// a Type" (a type of one copy handed to the other). One copy at the top serves both.

const FIXTURES = new URL('../fixtures/histories/', import.meta.url);

interface HistoryJson {
  events: { eventType: string; activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[];
}

function readHistory(file: string): HistoryJson {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as HistoryJson;
}

installQuietRuntime();
/** The replayer as the worker would run these workflows: its bundle, interceptors and sinks. */
const replayOptions = { workflowBundle: { codePath: services.workflowBundlePath }, ...workerTracingOptions() };

function replay(history: HistoryJson, workflowId: string): Promise<void> {
  return Worker.runReplayHistory(replayOptions, history, workflowId);
}

const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json')).sort();

describe('recorded histories replay on today’s workflows', () => {
  test('a download and a crawl history are among them', () => {
    const types = files.map((file) => readHistory(file).events[0]?.eventType);
    assert.ok(types.every((type) => type === 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'), 'each file is a whole history');
    for (const name of ['download-waits-then-finishes', 'download-fails-404', 'crawl-starts-downloads-and-backfill', 'backfill-one-page']) {
      assert.ok(files.includes(`${name}.json`), `test/fixtures/histories/${name}.json is there`);
    }
  });

  for (const file of files) {
    test(file, async () => {
      await replay(readHistory(file), file);
    });
  }

  test('a history whose commands differ from the code fails the replay', async () => {
    // The replayer compares each command the code makes with the event the history holds:
    // here the first activity the download scheduled is renamed, as if the code had
    // called another one there.
    const history = readHistory('download-waits-then-finishes.json');
    const scheduled = history.events.find((event) => event.activityTaskScheduledEventAttributes);
    assert.ok(scheduled?.activityTaskScheduledEventAttributes, 'the download scheduled an activity');
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'someOtherActivity';
    await assert.rejects(replay(history, 'renamed-activity'), DeterminismViolationError);
  });
});
