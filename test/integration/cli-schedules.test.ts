import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { parseChannelList } from '../../src/config/channels.ts';
import { scheduleIdFor } from '../../src/shared/names.ts';
import { syncSchedules } from '../../src/temporal/channel-schedules.ts';
import { uniqueName, waitFor } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';
import { temporal } from '../helpers/temporal-cli.ts';

// The schedule sync manages the schedules it made, marked in their memo, and no other:
// one a person made with `temporal schedule create` survives every sync, even under
// Parker's own id prefix and task queue.

let connection: Connection;
let client: Client;

before(async () => {
  connection = await Connection.connect({ address: services.temporalAddress });
  client = new Client({ connection });
});
after(async () => {
  await connection?.close();
});

async function listedScheduleIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const schedule of client.schedule.list()) ids.add(schedule.scheduleId);
  return ids;
}

describe('schedules made by hand', () => {
  test('`temporal schedule create` makes a schedule that no sync deletes; the sync deletes its own', async () => {
    // A queue nobody polls: the crawls these schedules would start never run.
    const taskQueue = uniqueName('hand-queue');
    const [own, hand] = [uniqueName('own'), uniqueName('hand')];
    const input = JSON.stringify({ channel: hand, url: 'https://example.org/hand.xml', backfill: 1 });
    await temporal([
      'schedule', 'create',
      '--schedule-id', scheduleIdFor(hand),
      '--type', 'crawlChannel',
      '--task-queue', taskQueue,
      '--workflow-id', `parker-crawl-${hand}`,
      '--interval', '1h',
      '--input', input,
    ]);
    const list = parseChannelList(`channels:\n  - name: ${own}\n    url: https://example.org/own.xml\n    every: 1h\n`, 'channels.yaml');
    assert.deepEqual((await syncSchedules(client, list.channels, { taskQueue })).created, [scheduleIdFor(own)]);
    const made = await client.schedule.getHandle(scheduleIdFor(own)).describe();
    assert.deepEqual(made.memo, { managedBy: 'parker' }, 'the sync marks what it made');

    await waitFor(async () => {
      const listed = await listedScheduleIds();
      return listed.has(scheduleIdFor(own)) && listed.has(scheduleIdFor(hand)) ? true : undefined;
    }, 'both schedules in the list');
    const cleanup = await syncSchedules(client, [], { taskQueue });
    assert.deepEqual(cleanup.deleted, [scheduleIdFor(own)]);
    await assert.rejects(client.schedule.getHandle(scheduleIdFor(own)).describe(), ScheduleNotFoundError);

    const kept = await client.schedule.getHandle(scheduleIdFor(hand)).describe();
    assert.ok(kept.action.type === 'startWorkflow');
    assert.deepEqual(kept.action.args, [JSON.parse(input)]);
    await client.schedule.getHandle(scheduleIdFor(hand)).delete();
  });
});
