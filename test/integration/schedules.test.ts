import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, ScheduleNotFoundError, type ConnectionOptions } from '@temporalio/client';
import { parseChannelList } from '../../src/config/channels.ts';
import { MAINTENANCE_CATCHUP_WINDOW_MS, syncMaintenanceSchedule } from '../../src/temporal/maintenance-schedule.ts';
import { syncSchedules } from '../../src/temporal/channel-schedules.ts';
import { MAINTENANCE_SCHEDULE_ID, scheduleIdFor } from '../../src/shared/names.ts';
import { uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

// Schedule sync against a real Temporal server: created, left alone, updated, deleted,
// and a broken entry never costs a good channel its schedule.

let connection: Connection;
let client: Client;
let scratch: string;

before(async () => {
  connection = await Connection.connect({ address: services.temporalAddress });
  client = new Client({ connection });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-schedules-'));
});
after(async () => {
  await connection?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function channelsYaml(entries: string): string {
  return `defaults:\n  every: 30m\n  backfill: 3\nchannels:\n${entries}`;
}

async function waitUntilListed(ids: string[]): Promise<void> {
  // Listing goes through the visibility store, which trails a create by a moment.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listed = new Set<string>();
    for await (const schedule of client.schedule.list()) listed.add(schedule.scheduleId);
    if (ids.every((id) => listed.has(id))) return;
    assert.ok(Date.now() < deadline, `schedules ${ids.join(', ')} never showed up in the list`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('schedule sync', () => {
  test('creates, leaves alone, follows edits and deletes, one schedule per channel', async () => {
    const taskQueue = uniqueName('sched-queue');
    const [a, b] = [uniqueName('alpha'), uniqueName('beta')];
    const first = parseChannelList(
      channelsYaml(`  - name: ${a}\n    url: https://example.org/a.xml\n    every: 15m\n  - name: ${b}\n    url: https://example.org/b.xml\n`),
      'channels.yaml',
    );
    const created = await syncSchedules(client, first.channels, { taskQueue });
    assert.deepEqual(created.created.sort(), [scheduleIdFor(a), scheduleIdFor(b)].sort());

    const description = await client.schedule.getHandle(scheduleIdFor(a)).describe();
    assert.equal(description.spec.intervals?.[0]?.every, 15 * 60_000);
    assert.equal(description.policies.overlap, 'SKIP');
    assert.equal(description.policies.catchupWindow, 15 * 60_000, 'catch-up is one interval, not the server default of a year');
    assert.ok(description.action.type === 'startWorkflow');
    assert.equal(description.action.workflowType, 'crawlChannel');
    assert.equal(description.action.taskQueue, taskQueue);
    assert.deepEqual(description.action.args, [{ channel: a, url: 'https://example.org/a.xml', backfill: 3 }]);

    const again = await syncSchedules(client, first.channels, { taskQueue });
    assert.deepEqual(again, { created: [], updated: [], deleted: [], unchanged: [scheduleIdFor(a), scheduleIdFor(b)] });

    const edited = parseChannelList(
      channelsYaml(`  - name: ${a}\n    url: https://example.org/a2.xml\n    every: 1h\n    backfill: 0\n  - name: ${b}\n    url: https://example.org/b.xml\n`),
      'channels.yaml',
    );
    const update = await syncSchedules(client, edited.channels, { taskQueue });
    assert.deepEqual(update.updated, [scheduleIdFor(a)]);
    assert.deepEqual(update.unchanged, [scheduleIdFor(b)]);
    const updated = await client.schedule.getHandle(scheduleIdFor(a)).describe();
    assert.equal(updated.spec.intervals?.[0]?.every, 3_600_000);
    assert.equal(updated.policies.catchupWindow, 3_600_000);
    assert.ok(updated.action.type === 'startWorkflow');
    assert.deepEqual(updated.action.args, [{ channel: a, url: 'https://example.org/a2.xml', backfill: 0 }]);

    await waitUntilListed([scheduleIdFor(a), scheduleIdFor(b)]);
    const withoutB = parseChannelList(channelsYaml(`  - name: ${a}\n    url: https://example.org/a2.xml\n    every: 1h\n    backfill: 0\n`), 'channels.yaml');
    const removal = await syncSchedules(client, withoutB.channels, { taskQueue });
    assert.deepEqual(removal.deleted, [scheduleIdFor(b)]);
    await assert.rejects(client.schedule.getHandle(scheduleIdFor(b)).describe(), ScheduleNotFoundError);

    const final = await syncSchedules(client, withoutB.channels, { taskQueue });
    assert.deepEqual(final.unchanged, [scheduleIdFor(a)]);
    assert.deepEqual([...final.created, ...final.updated, ...final.deleted], []);
  });

  test("a channel's filters and include rules travel in the schedule's input as plain JSON, and edits to them update it", async () => {
    const taskQueue = uniqueName('sched-queue');
    const name = uniqueName('rules');
    const yaml = (filters: string) =>
      channelsYaml(`  - name: ${name}\n    url: https://example.org/r.xml\n    filters: ${filters}\n    include: { shorts: false, live: false }\n`);
    const first = parseChannelList(yaml(`{ title_include: 'news', min_duration: 2m, published_after: 30d, max_items: 5 }`), 'channels.yaml');
    assert.deepEqual(first.problems, []);
    assert.deepEqual((await syncSchedules(client, first.channels, { taskQueue })).created, [scheduleIdFor(name)]);
    const description = await client.schedule.getHandle(scheduleIdFor(name)).describe();
    assert.ok(description.action.type === 'startWorkflow');
    assert.deepEqual(description.action.args, [
      {
        channel: name,
        url: 'https://example.org/r.xml',
        backfill: 3,
        rules: { titleInclude: 'news', minDurationSeconds: 120, publishedAfter: '30d', maxItems: 5, shorts: false, live: false },
      },
    ]);
    // The stored input compares equal to the wanted one: a second sync changes nothing.
    assert.deepEqual((await syncSchedules(client, first.channels, { taskQueue })).unchanged, [scheduleIdFor(name)]);

    const edited = parseChannelList(yaml(`{ title_include: 'weather' }`), 'channels.yaml');
    assert.deepEqual((await syncSchedules(client, edited.channels, { taskQueue })).updated, [scheduleIdFor(name)]);
    const updated = await client.schedule.getHandle(scheduleIdFor(name)).describe();
    assert.ok(updated.action.type === 'startWorkflow');
    assert.deepEqual((updated.action.args?.[0] as { rules: unknown }).rules, { titleInclude: 'weather', shorts: false, live: false });
  });

  test('an unchanged sync decides from the schedule list, describing only a schedule paused by hand, which keeps its pause and reason', async () => {
    const taskQueue = uniqueName('sched-queue');
    const [quiet, paused] = [uniqueName('quiet'), uniqueName('paused')];
    const list = parseChannelList(
      channelsYaml(`  - name: ${quiet}\n    url: https://example.org/q.xml\n  - name: ${paused}\n    url: https://example.org/p.xml\n`),
      'channels.yaml',
    );
    await syncSchedules(client, list.channels, { taskQueue });
    const made = await client.schedule.getHandle(scheduleIdFor(quiet)).describe();
    assert.match(made.state.note ?? '', /^Managed by Parker from channels\.yaml.* Config [0-9a-f]{16}\.$/, "the note carries the wanted schedule's digest");

    await client.schedule.getHandle(scheduleIdFor(paused)).pause('feed moved, asked the publisher');
    // Once the list shows the pause's note, the sync sees that schedule as not its own
    // state, compares it in full, and leaves the person's pause and reason alone.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const notes = new Map<string, string | undefined>();
      for await (const schedule of client.schedule.list()) notes.set(schedule.scheduleId, schedule.state.note);
      if (notes.get(scheduleIdFor(paused)) === 'feed moved, asked the publisher' && notes.get(scheduleIdFor(quiet)) === made.state.note) break;
      assert.ok(Date.now() < deadline, 'the list never showed both notes');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Which schedules the sync describes: the requests go out encoded, each naming its schedule.
    const described: string[] = [];
    const writes: string[] = [];
    type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];
    const watching: Interceptor = (options, nextCall) => {
      const method = options.method_definition.path.split('/').pop()!;
      const call = nextCall(options);
      if (/^(Create|Update|Delete)Schedule$/.test(method)) writes.push(method);
      if (method === 'DescribeSchedule') {
        const naming = (message: Buffer) => [quiet, paused].filter((name) => message.includes(scheduleIdFor(name)));
        const send = call.sendMessageWithContext.bind(call);
        call.sendMessageWithContext = (context, message: Buffer) => {
          described.push(...naming(message));
          send(context, message);
        };
      }
      // The next interceptor's call, passed on (grpc-js types it as its interface).
      return call as ReturnType<Interceptor>;
    };
    const watched = await Connection.connect({
      address: services.temporalAddress,
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), watching],
    });
    try {
      const again = await syncSchedules(new Client({ connection: watched }), list.channels, { taskQueue });
      assert.deepEqual(again, { created: [], updated: [], deleted: [], unchanged: [scheduleIdFor(quiet), scheduleIdFor(paused)] });
    } finally {
      await watched.close();
    }
    // (The deletion scan describes other tests' schedules on this server, which no channel here wants.)
    assert.deepEqual(described, [paused], 'only the schedule whose note is not Parker\'s is described');
    assert.deepEqual(writes, []);
    const kept = await client.schedule.getHandle(scheduleIdFor(paused)).describe();
    assert.equal(kept.state.paused, true);
    assert.equal(kept.state.note, 'feed moved, asked the publisher');
  });

  test('a broken entry keeps its old schedule and does not stop the good channels', async () => {
    const taskQueue = uniqueName('sched-queue');
    const [good, typo] = [uniqueName('good'), uniqueName('typo')];
    const before = parseChannelList(
      channelsYaml(`  - name: ${typo}\n    url: https://example.org/t.xml\n`),
      'channels.yaml',
    );
    await syncSchedules(client, before.channels, { taskQueue });
    await waitUntilListed([scheduleIdFor(typo)]);

    const broken = parseChannelList(
      channelsYaml(`  - name: ${typo}\n    url: not a url\n  - name: ${good}\n    url: https://example.org/g.xml\n`),
      'channels.yaml',
    );
    assert.equal(broken.problems.length, 1);
    const report = await syncSchedules(client, broken.channels, { taskQueue, keep: broken.problems.map((p) => p.channel) });
    assert.deepEqual(report.created, [scheduleIdFor(good)]);
    assert.deepEqual(report.deleted, [], 'the typo does not delete the schedule');
    await client.schedule.getHandle(scheduleIdFor(typo)).describe();
  });

  test('`npm run schedules` reports a broken entry by file, channel and field, schedules the rest, and exits 1', async () => {
    const taskQueue = uniqueName('sched-queue');
    const [good, bad] = [uniqueName('good'), uniqueName('bad')];
    const file = path.join(scratch, 'channels.yaml');
    writeFileSync(file, channelsYaml(`  - name: ${bad}\n    url: https://example.org/x.xml\n    every: 5s\n  - name: ${good}\n    url: https://example.org/g.xml\n`));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/schedule.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, PARKER_CONFIG: file, TEMPORAL_ADDRESS: services.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' },
    });
    const failure = await run.then(
      () => assert.fail('a broken entry must make the command exit non-zero'),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(failure.code, 1);
    assert.match(failure.stdout, new RegExp(`channels.yaml: channel \\\\"${bad}\\\\": every: must be a duration`));
    const description = await client.schedule.getHandle(scheduleIdFor(good)).describe();
    assert.ok(description.action.type === 'startWorkflow' && description.action.taskQueue === taskQueue);
    await assert.rejects(client.schedule.getHandle(scheduleIdFor(bad)).describe(), ScheduleNotFoundError);
    // The command keeps the daily maintenance schedule too (other test files may sync it
    // with their own queue, so only what it runs is checked here).
    const maintenance = await client.schedule.getHandle(MAINTENANCE_SCHEDULE_ID).describe();
    assert.ok(maintenance.action.type === 'startWorkflow' && maintenance.action.workflowType === 'maintainChannels');
  });

  test('the maintenance schedule: created with the keep rules, left alone, updated on a change, never deleted by the channel cleanup', async () => {
    const taskQueue = uniqueName('sched-queue');
    const scheduleId = uniqueName('parker-maintenance-test');
    const [kept, plain] = [uniqueName('kept'), uniqueName('plain')];
    const list = parseChannelList(
      channelsYaml(`  - name: ${kept}\n    url: https://example.org/k.xml\n    keep: { last: 10 }\n  - name: ${plain}\n    url: https://example.org/p.xml\n`),
      'channels.yaml',
    );
    assert.equal(await syncMaintenanceSchedule(client, list.channels, { taskQueue, scheduleId }), 'created');
    const description = await client.schedule.getHandle(scheduleId).describe();
    assert.deepEqual(description.spec.intervals, [{ every: 86_400_000, offset: 4 * 3_600_000 }]);
    assert.equal(description.policies.overlap, 'SKIP');
    assert.equal(description.policies.catchupWindow, MAINTENANCE_CATCHUP_WINDOW_MS);
    assert.ok(description.action.type === 'startWorkflow');
    assert.equal(description.action.workflowType, 'maintainChannels');
    assert.equal(description.action.taskQueue, taskQueue);
    assert.deepEqual(description.action.args, [{ channels: [{ channel: kept, keep: { last: 10 } }] }]);

    assert.equal(await syncMaintenanceSchedule(client, list.channels, { taskQueue, scheduleId }), 'unchanged');

    const edited = parseChannelList(channelsYaml(`  - name: ${kept}\n    url: https://example.org/k.xml\n    keep: { days: 30 }\n`), 'channels.yaml');
    assert.equal(await syncMaintenanceSchedule(client, edited.channels, { taskQueue, scheduleId }), 'updated');
    const updated = await client.schedule.getHandle(scheduleId).describe();
    assert.ok(updated.action.type === 'startWorkflow');
    assert.deepEqual(updated.action.args, [{ channels: [{ channel: kept, keep: { days: 30 } }] }]);
    assert.equal(await syncMaintenanceSchedule(client, edited.channels, { taskQueue, scheduleId }), 'unchanged');

    // The channel cleanup of the same queue, with every channel gone, leaves it alone.
    await syncSchedules(client, edited.channels, { taskQueue });
    await waitUntilListed([scheduleId, scheduleIdFor(kept)]);
    const cleanup = await syncSchedules(client, [], { taskQueue });
    assert.deepEqual(cleanup.deleted, [scheduleIdFor(kept)]);
    await client.schedule.getHandle(scheduleId).describe();
    await client.schedule.getHandle(scheduleId).delete();
  });
});
