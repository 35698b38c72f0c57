// `npm run bench:schedule-sync`: the schedule sync that runs at every start, for 1,000
// channels on a dev server of its own: the first sync creates every schedule, the second,
// with nothing changed, must decide from the schedule list alone (no describe, no create,
// no update); a third after one channel's edit updates exactly that one.
//   BENCH_CHANNELS (default 1000)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseChannelList } from '../src/config/channels.ts';
import { scheduleIdFor } from '../src/shared/names.ts';
import { syncSchedules, type SyncReport } from '../src/temporal/channel-schedules.ts';
import { mapConcurrently } from '../src/temporal/concurrently.ts';
import { cpuSecondsOf, machineLine, targetLine, runBenchmark } from './lib/measure.ts';
import { startTemporal, waitUntil } from './lib/stack.ts';

const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 1000);
const TASK_QUEUE = 'bench-schedule-sync';

function channelList(editedUrlOf?: number) {
  const lines = ['defaults:', '  every: 1h', 'channels:'];
  for (let i = 0; i < CHANNELS; i++) {
    const url = `https://feeds.example.org/${i}${i === editedUrlOf ? '-moved' : ''}.xml`;
    lines.push(`  - name: channel-${String(i).padStart(5, '0')}`, `    url: ${url}`);
  }
  const list = parseChannelList(`${lines.join('\n')}\n`, 'bench channels.yaml');
  if (list.problems.length > 0) throw new Error(`channel list: ${JSON.stringify(list.problems)}`);
  return list.channels;
}

const EMPTY: SyncReport = { created: [], updated: [], deleted: [], unchanged: [] };

/** Times one sync; a failed one is reported with its time and error, not thrown, so the next can run. */
async function timed(label: string, run: () => Promise<SyncReport>): Promise<{ seconds: number; report: SyncReport; failed: boolean }> {
  const started = process.hrtime.bigint();
  const outcome = await run().then(
    (report) => ({ report, failed: false }),
    (error: unknown) => {
      console.log(`${label} FAILED: ${(error as Error).message}: ${String((error as Error).cause ?? '')}`);
      return { report: EMPTY, failed: true };
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { report } = outcome;
  const counts = `created ${report.created.length}, updated ${report.updated.length}, deleted ${report.deleted.length}, unchanged ${report.unchanged.length}`;
  console.log(`${label.padEnd(32)} ${seconds.toFixed(1).padStart(6)} s  ${outcome.failed ? 'failed' : counts}`);
  return { seconds, ...outcome };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'parker-bench-sync-'));
  const temporal = await startTemporal(scratch);
  console.log(`machine: ${await machineLine()}`);
  console.log(`${CHANNELS} channels, every: 1h, on a dev server of its own`);
  try {
    const channels = channelList();
    // What limits the creates: the dev server's CPU meanwhile (each create starts the
    // schedule's scheduler workflow, and its first crawl).
    const serverPid = temporal.server.process.pid!;
    const serverCpu = await cpuSecondsOf(serverPid);
    const first = await timed('first sync (create all)', () => syncSchedules(temporal.client, channels, { taskQueue: TASK_QUEUE }));
    const createCpu = (await cpuSecondsOf(serverPid)) - serverCpu;
    console.log(`${'  dev server CPU meanwhile'.padEnd(32)} ${createCpu.toFixed(1).padStart(6)} s  (${((createCpu / first.seconds) * 100).toFixed(0)} % of a core)`);
    // Every new schedule triggers its channel's first crawl: let the server start them all
    // before the next sync, which describes every schedule (a query to its scheduler).
    const settleStarted = Date.now();
    await waitUntil(
      async () => (await temporal.client.workflow.count(`TaskQueue="${TASK_QUEUE}"`)).count >= CHANNELS,
      'the first crawls to be started',
      600_000,
      1_000,
    );
    console.log(`${'first crawls started'.padEnd(32)} ${((Date.now() - settleStarted) / 1000).toFixed(1).padStart(6)} s later`);
    const second = await timed('second sync (nothing changed)', () => syncSchedules(temporal.client, channels, { taskQueue: TASK_QUEUE }));
    // What the second sync no longer does: describe every schedule (a query to its
    // scheduler workflow), 16 at a time as the sync did; against one listing of them all.
    const ids = channels.map((channel) => scheduleIdFor(channel.name));
    const seconds = async (run: () => Promise<unknown>) => {
      const started = process.hrtime.bigint();
      await run();
      return Number(process.hrtime.bigint() - started) / 1e9;
    };
    const listing = await seconds(async () => {
      for await (const schedule of temporal.client.schedule.list({ pageSize: 1000 })) void schedule;
    });
    console.log(`${'list every schedule'.padEnd(32)} ${listing.toFixed(1).padStart(6)} s`);
    const describing = await seconds(() => mapConcurrently(ids, 16, (id) => temporal.client.schedule.getHandle(id).describe()));
    console.log(`${'describe all, 16 at a time'.padEnd(32)} ${describing.toFixed(1).padStart(6)} s  (what the second sync did before)`);
    const third = await timed('third sync (one channel edited)', () => syncSchedules(temporal.client, channelList(7), { taskQueue: TASK_QUEUE }));

    console.log(`\nmachine at the end: ${await machineLine()}`);
    console.log('targets:');
    console.log(targetLine(`first sync of ${CHANNELS} channels`, !first.failed && first.seconds <= 10, `${first.seconds.toFixed(1)} s${first.failed ? ', failed' : ''}`, '≤ 10 s'));
    console.log(targetLine(`unchanged sync of ${CHANNELS} channels`, !second.failed && second.seconds <= 10, `${second.seconds.toFixed(1)} s${second.failed ? ', failed' : ''}`, '≤ 10 s'));
    const writes = second.report.created.length + second.report.updated.length + second.report.deleted.length;
    console.log(targetLine('schedule writes when nothing changed', !second.failed && writes === 0, `${writes} (updates ${second.report.updated.length})`, '0'));
    console.log(targetLine('schedule writes after one edit', third.report.updated.length === 1, String(third.report.updated.length), '1'));
  } finally {
    await temporal.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

runBenchmark(main);
