// `npm run bench:idle-crawl`: an idle crawl round. 1,000 channels whose feeds (on a
// loopback nginx) answer 304 to the validators Parker stored, crawled by the compiled
// worker against a dev server of its own and a MariaDB of its own: once all at once (the
// burst, as when every hourly channel was due at :00) and once spread out at a steady
// rate. Prints channels a minute, the activities and history events per crawl (from the
// crawls' histories), the database's row writes (MariaDB's status counters) and the CPU
// each process used, then the targets.
//   BENCH_CHANNELS (default 1000), BENCH_ENTRIES (episodes per feed, default 10),
//   BENCH_SPREAD_PER_SECOND (the spread round's rate, default 25: 1,500 a minute),
//   BENCH_START_CONCURRENCY (workflow starts in flight in the burst, default 50),
//   BENCH_WORKER_ENV (extra worker settings for tuning runs, `NAME=value,NAME=value`)
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto'; // CommonJS: its namespace comes as the default export
import { rssFeed, type FeedItem } from '../src/demo/rss-feed.ts';
import { CRAWL_WORKFLOW } from '../src/shared/names.ts';
import { PARKER_CHANNEL } from '../src/shared/search-attributes.ts';
import type { CrawlInput, CrawlSummary } from '../src/shared/crawl.ts';
import { mapConcurrently } from '../src/temporal/concurrently.ts';
import { startMariaDb, rowWritesBetween, type MariaDb, type RowWrites } from './lib/mariadb.ts';
import { cpuSecondsOf, machineLine, median, percentile, targetLine, runBenchmark } from './lib/measure.ts';
import { startNginx } from './lib/nginx.ts';
import { startCompiledWorker, startTemporal, waitUntil, type Temporal, type WorkerProcess } from './lib/stack.ts';

const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 1000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10);
const SPREAD_PER_SECOND = Number(process.env.BENCH_SPREAD_PER_SECOND ?? 25);
const START_CONCURRENCY = Number(process.env.BENCH_START_CONCURRENCY ?? 50);
const TASK_QUEUE = 'bench-idle-crawl';
/** The issue's target for a round of unchanged feeds. */
const TARGET_PER_MINUTE = 1000;

const EventType = proto.temporal.api.enums.v1.EventType;
/** The marker name under which the SDK's core records a local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function workerEnv(): Record<string, string> {
  const pairs = (process.env.BENCH_WORKER_ENV ?? '').split(',').filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => pair.split('=', 2) as [string, string]));
}

/** One feed per channel, each with ENTRIES episodes (never fetched: the first crawl's `backfill: 0` skips them all). */
async function writeFeeds(root: string, origin: string): Promise<CrawlInput[]> {
  await mkdir(path.join(root, 'feeds'), { recursive: true });
  const inputs: CrawlInput[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const name = `idle-${String(i).padStart(5, '0')}`;
    const items: FeedItem[] = Array.from({ length: ENTRIES }, (_, n) => ({
      guid: `${name}-${n}`,
      title: `Episode ${n}`,
      mediaUrl: `${origin}/media/${name}-${n}.mp3`,
      mediaType: 'audio/mpeg',
      publishedAt: new Date(Date.UTC(2025, 0, 1 + n)),
    }));
    await writeFile(path.join(root, 'feeds', `${name}.xml`), rssFeed(name, items));
    inputs.push({ channel: name, url: `${origin}/feeds/${name}.xml`, backfill: 0 });
  }
  return inputs;
}

interface Processes {
  worker: WorkerProcess;
  temporal: Temporal;
  mariadb: MariaDb;
}

async function cpuNow({ worker, temporal, mariadb }: Processes) {
  const own = process.cpuUsage();
  return {
    worker: await worker.cpuSeconds(),
    'dev server': await cpuSecondsOf(temporal.server.process.pid!),
    mariadb: await cpuSecondsOf(mariadb.pid),
    'this client': (own.user + own.system) / 1e6,
  };
}

interface RoundResult {
  name: string;
  /** First start to last close, s. */
  seconds: number;
  perMinute: number;
  latencies: number[];
  activitiesPerCrawl: number[];
  eventsPerCrawl: number[];
  notModified: number;
  /** Where a crawl's time goes: the gaps between consecutive history events, by the pair of event types, s. */
  gaps: Map<string, number[]>;
  writes: RowWrites;
  cpu: Record<string, number>;
}

/**
 * Starts a crawl of every channel (`starter` decides when), as its schedule would (same
 * workflow type, input and search attribute), waits for all to close, and reads what each
 * cost from its history.
 */
async function runRound(
  name: string,
  inputs: CrawlInput[],
  processes: Processes,
  starter: (start: (input: CrawlInput) => Promise<WorkflowHandle>) => Promise<WorkflowHandle[]>,
): Promise<RoundResult> {
  const { client } = processes.temporal;
  const prefix = `idle-${name}-`;
  const writesBefore = await processes.mariadb.rowWrites();
  const cpuBefore = await cpuNow(processes);
  const started = Date.now();
  const handles = await starter((input) =>
    client.workflow.start(CRAWL_WORKFLOW, {
      taskQueue: TASK_QUEUE,
      workflowId: `${prefix}${input.channel}`,
      args: [input],
      typedSearchAttributes: [{ key: PARKER_CHANNEL, value: input.channel }],
    }),
  );
  await waitUntil(
    // Closed, not "none running": the visibility store may not list a start yet.
    async () => (await client.workflow.count(`WorkflowId STARTS_WITH "${prefix}" AND ExecutionStatus != "Running"`)).count >= inputs.length,
    `the ${name} round's crawls to finish`,
    3_600_000,
    500,
  );
  const waited = Date.now();
  const cpuAfter = await cpuNow(processes);
  const writes = rowWritesBetween(writesBefore, await processes.mariadb.rowWrites());

  const closes: number[] = [];
  const latencies: number[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId STARTS_WITH "${prefix}"` })) {
    if (execution.status.name !== 'COMPLETED') throw new Error(`${execution.workflowId} ended ${execution.status.name}`);
    closes.push(execution.closeTime!.getTime());
    latencies.push((execution.closeTime!.getTime() - execution.startTime.getTime()) / 1000);
  }
  if (closes.length !== inputs.length) throw new Error(`${name}: ${closes.length} crawls closed, ${inputs.length} started`);
  const seconds = (Math.max(...closes) - started) / 1000;
  console.log(`  ${name}: ${inputs.length} crawls in ${seconds.toFixed(1)} s (seen done ${((waited - started) / 1000).toFixed(1)} s after the first start)`);

  const costs = await mapConcurrently(handles, 16, async (handle) => {
    const events = (await handle.fetchHistory()).events ?? [];
    const summary = (await handle.result()) as CrawlSummary;
    // A local activity is recorded as a marker (the SDK's core names it), not as a scheduled task.
    const activities = events.filter(
      (event) =>
        event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ||
        (event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER),
    ).length;
    return { activities, events: events.length, notModified: summary.notModified === true, gaps: eventGaps(events) };
  });
  const gaps = new Map<string, number[]>();
  for (const cost of costs) for (const [pair, seconds] of cost.gaps) gaps.set(pair, [...(gaps.get(pair) ?? []), seconds]);
  return {
    name,
    seconds,
    perMinute: (inputs.length / seconds) * 60,
    latencies,
    activitiesPerCrawl: costs.map((cost) => cost.activities),
    eventsPerCrawl: costs.map((cost) => cost.events),
    notModified: costs.filter((cost) => cost.notModified).length,
    gaps,
    writes,
    cpu: Object.fromEntries(Object.entries(cpuAfter).map(([key, value]) => [key, value - cpuBefore[key as keyof typeof cpuBefore]])),
  };
}

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

/** `WORKFLOW_TASK_SCHEDULED` for EVENT_TYPE_WORKFLOW_TASK_SCHEDULED. */
function eventName(event: HistoryEvent): string {
  return (EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, '');
}

function eventSeconds(event: HistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) + (event.eventTime?.nanos ?? 0) / 1e9;
}

/** The time from each event to the next, by `#n A → B` (n: the pair's place in the history). */
function eventGaps(events: HistoryEvent[]): Map<string, number> {
  const gaps = new Map<string, number>();
  for (let i = 1; i < events.length; i++) {
    gaps.set(`#${String(i).padStart(2, '0')} ${eventName(events[i - 1]!)} → ${eventName(events[i]!)}`, eventSeconds(events[i]!) - eventSeconds(events[i - 1]!));
  }
  return gaps;
}

/** Every crawl at once, START_CONCURRENCY starts in flight. */
function burst(inputs: CrawlInput[]) {
  return (start: (input: CrawlInput) => Promise<WorkflowHandle>) => mapConcurrently(inputs, START_CONCURRENCY, start);
}

/** One crawl every 1/SPREAD_PER_SECOND s, whether or not the ones before are done. */
function spread(inputs: CrawlInput[]) {
  return async (start: (input: CrawlInput) => Promise<WorkflowHandle>) => {
    const began = Date.now();
    const handles: Promise<WorkflowHandle>[] = [];
    for (const [index, input] of inputs.entries()) {
      const due = began + (index * 1000) / SPREAD_PER_SECOND;
      if (due > Date.now()) await sleep(due - Date.now());
      handles.push(start(input));
    }
    return Promise.all(handles);
  };
}

function printRound(round: RoundResult): void {
  const cpu = Object.entries(round.cpu)
    .map(([who, seconds]) => `${who} ${seconds.toFixed(1)} s (${((seconds / round.seconds) * 100).toFixed(0)} % of a core)`)
    .join(', ');
  const writes = Object.entries(round.writes)
    .map(([counter, value]) => `${counter} ${value}`)
    .join(', ');
  console.log(`${round.name}:`);
  console.log(`  ${round.perMinute.toFixed(0)} channels a minute (${(round.perMinute / 60).toFixed(1)} a second), ${round.notModified} of ${round.latencies.length} answered 304`);
  console.log(`  crawl start to close: median ${median(round.latencies).toFixed(2)} s, p95 ${percentile(round.latencies, 95).toFixed(2)} s, max ${Math.max(...round.latencies).toFixed(2)} s`);
  console.log(`  activities per crawl: ${Math.min(...round.activitiesPerCrawl)}-${Math.max(...round.activitiesPerCrawl)}; history events per crawl: median ${median(round.eventsPerCrawl)}`);
  console.log('  where a crawl\'s time goes (between history events; median, p95):');
  for (const [pair, seconds] of [...round.gaps].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`    ${pair}: ${median(seconds).toFixed(3)} s, ${percentile(seconds, 95).toFixed(3)} s${seconds.length < round.latencies.length ? ` (${seconds.length} crawls)` : ''}`);
  }
  console.log(`  database: ${writes}`);
  console.log(`  CPU: ${cpu}`);
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'parker-bench-idle-'));
  const shm = await mkdtemp(path.join('/dev/shm', 'parker-bench-idle-'));
  // nginx's worker runs as another user when started by root.
  await chmod(shm, 0o755);
  const root = path.join(shm, 'www');
  await mkdir(root, { recursive: true });
  const nginx = await startNginx(path.join(shm, 'nginx'), root);
  const mariadb = await startMariaDb(path.join(scratch, 'mariadb'), 'parker_bench');
  const temporal = await startTemporal(scratch);
  let worker: WorkerProcess | undefined;
  console.log(`machine: ${await machineLine()}`);
  console.log(`${CHANNELS} channels of ${ENTRIES} episodes, nginx answering 304 to the stored ETag; compiled worker, dev server and MariaDB of their own`);
  try {
    const inputs = await writeFeeds(root, nginx.origin);
    worker = await startCompiledWorker({
      temporalAddress: temporal.server.address,
      taskQueue: TASK_QUEUE,
      databaseUrl: mariadb.url,
      dataDir: path.join(scratch, 'data'),
      downloadDir: path.join(scratch, 'downloads'),
      extraEnv: workerEnv(),
    });
    const processes = { worker, temporal, mariadb };
    // The first crawls record every feed and its ETag; what follows is the idle round.
    const first = await runRound('first', inputs, processes, burst(inputs));
    if (first.notModified > 0) throw new Error(`${first.notModified} first crawls answered 304`);
    console.log(`  (first crawls: ${first.perMinute.toFixed(0)} channels a minute, ${Math.max(...first.activitiesPerCrawl)} activities per crawl at most)`);
    console.log(`load after the first crawls: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    const rounds = [await runRound('burst', inputs, processes, burst(inputs))];
    console.log(`load after the burst: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    rounds.push(await runRound('spread', inputs, processes, spread(inputs)));
    console.log();
    for (const round of rounds) printRound(round);

    console.log(`\nmachine at the end: ${await machineLine()}`);
    console.log('targets:');
    for (const round of rounds) {
      const offered = round.name === 'spread' ? `, offered ${SPREAD_PER_SECOND * 60} a minute` : '';
      console.log(targetLine(`${round.name}: channels a minute`, round.perMinute >= TARGET_PER_MINUTE, `${round.perMinute.toFixed(0)}${offered}`, `≥ ${TARGET_PER_MINUTE}`));
      const unchanged = round.notModified === inputs.length;
      const activities = Math.max(...round.activitiesPerCrawl);
      console.log(targetLine(`${round.name}: activities per unchanged crawl`, unchanged && activities === 1, `${activities}${unchanged ? '' : `, ${inputs.length - round.notModified} feeds did not answer 304`}`, '1'));
      const rows = round.writes.Handler_write + round.writes.Handler_update + round.writes.Handler_delete;
      console.log(targetLine(`${round.name}: database row writes`, rows === 0, String(rows), '0'));
    }
  } finally {
    await worker?.stop();
    await temporal.stop();
    await mariadb.stop();
    await nginx.stop();
    await rm(shm, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

runBenchmark(main);
