// `npm run bench:pipeline`: the whole pipeline, from the trigger of N crawls to every one
// of their N × M small videos downloaded, on what production runs: a Temporal dev server,
// a MariaDB server and the compiled worker (`npm run build`), one or two worker processes
// (each a host of its own, both roles), all started here; the videos come from a loopback
// nginx. Prints videos per second, each video's time (its download workflow's start to
// close, and the trigger to its close), the history events per download workflow, and the
// CPU seconds each process spent, then the targets.
//   npm run bench:pipeline                     one worker, then two
//   npm run bench:pipeline -- --workers 2      two only
//   --channels N (default 8), --videos M per channel (50), --kib K per video (100)
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { connectDb, migrate, type Db } from '../src/db/connect.ts';
import { CRAWL_WORKFLOW, DOWNLOAD_WORKFLOW, downloadWorkflowTaskQueueFor } from '../src/shared/names.ts';
import { cpuSecondsOf, machineLine, percentile, targetLine, runBenchmark, printTargets } from './lib/measure.ts';
import { startMariaDb } from './lib/mariadb.ts';
import { writeEpisodeFeed } from './lib/media-site.ts';
import { startNginx } from './lib/nginx.ts';
import { startCompiledWorker, startTemporal, waitUntil, type WorkerProcess } from './lib/stack.ts';

const { values: options } = parseArgs({
  options: {
    workers: { type: 'string' },
    channels: { type: 'string', default: '8' },
    videos: { type: 'string', default: '50' },
    kib: { type: 'string', default: '100' },
  },
});
const CHANNELS = Number(options.channels);
const VIDEOS_PER_CHANNEL = Number(options.videos);
const VIDEO_BYTES = Number(options.kib) * 1024;
const WORKER_COUNTS = options.workers ? [Number(options.workers)] : [1, 2];
const TASK_QUEUE = 'bench-pipeline';
const EventType = proto.temporal.api.enums.v1.EventType;

/** The issue's targets, for two cores running everything. */
const TARGET_VIDEOS_PER_SECOND = 20;
const TARGET_EVENTS_PER_DOWNLOAD = 30;

interface DownloadTimes {
  startMs: number;
  closeMs: number;
  historyLength: number;
}

interface RunResult {
  workers: number;
  videos: number;
  seconds: number;
  downloads: DownloadTimes[];
  triggeredAt: number;
  eventTypes: string;
  cpu: Record<string, number>;
}

async function downloadedCount(db: Db): Promise<number> {
  const failed = await db('videos').where({ status: 'failed' }).first('channel', 'external_id', 'reason');
  if (failed) throw new Error(`video ${failed.channel}/${failed.external_id} failed: ${failed.reason}`);
  const [row] = await db('videos').where({ status: 'downloaded' }).count({ n: '*' });
  return Number(row?.n ?? 0);
}

/** Every closed download workflow, from the server's visibility store (it lags a little behind the histories). */
async function closedDownloads(client: Client, expected: number): Promise<DownloadTimes[]> {
  const query = `WorkflowType="${DOWNLOAD_WORKFLOW}" AND TaskQueue="${downloadWorkflowTaskQueueFor(TASK_QUEUE)}" AND ExecutionStatus="Completed"`;
  await waitUntil(async () => (await client.workflow.count(query)).count >= expected, `${expected} closed download workflows in visibility`, 120_000, 500);
  const downloads: DownloadTimes[] = [];
  for await (const workflow of client.workflow.list({ query })) {
    downloads.push({ startMs: workflow.startTime.getTime(), closeMs: workflow.closeTime!.getTime(), historyLength: workflow.historyLength });
  }
  return downloads;
}

/** One download's history by event type, to see what its events are spent on. */
async function eventTypesOfOne(client: Client): Promise<string> {
  const query = `WorkflowType="${DOWNLOAD_WORKFLOW}" AND TaskQueue="${downloadWorkflowTaskQueueFor(TASK_QUEUE)}"`;
  for await (const workflow of client.workflow.list({ query, pageSize: 1 })) {
    const history = await client.workflow.getHandle(workflow.workflowId, workflow.runId).fetchHistory();
    const counts = new Map<string, number>();
    for (const event of history.events ?? []) {
      const type = (EventType[event.eventType ?? 0] ?? 'unknown').replace(/^EVENT_TYPE_/, '').toLowerCase();
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    return [...counts].map(([type, n]) => `${type} ${n}`).join(', ');
  }
  throw new Error('no download workflow to read a history from');
}

/** Starts everything afresh for `workers` worker processes, runs the crawls, and takes it all down. */
async function runPipeline(workers: number, origin: string, feeds: string[]): Promise<RunResult> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'parker-bench-pipeline-'));
  const shm = await mkdtemp(path.join('/dev/shm', 'parker-bench-pipeline-downloads-'));
  const mariadb = await startMariaDb(path.join(scratch, 'mariadb'), 'parker');
  const temporal = await startTemporal(scratch);
  const db = connectDb(mariadb.url, scratch);
  const running: WorkerProcess[] = [];
  try {
    // Once here, so the workers' own migrate finds nothing to do.
    await migrate(db);
    for (let i = 1; i <= workers; i++) {
      // One after another: each worker migrates at start, and two at once would race for the lock.
      running.push(
        await startCompiledWorker({
          temporalAddress: temporal.server.address,
          taskQueue: TASK_QUEUE,
          databaseUrl: mariadb.url,
          dataDir: path.join(scratch, `data-${i}`),
          downloadDir: path.join(shm, `host-${i}`),
          hostId: `bench-${i}`,
        }),
      );
    }
    const processes: Record<string, number> = {
      'dev server': temporal.server.process.pid!,
      mariadb: mariadb.pid,
      ...Object.fromEntries(running.map((worker, i) => [`worker ${i + 1}`, worker.pid])),
    };
    const cpuBefore = Object.fromEntries(await Promise.all(Object.entries(processes).map(async ([name, pid]) => [name, await cpuSecondsOf(pid)] as const)));
    const benchCpuBefore = process.cpuUsage();

    const triggeredAt = Date.now();
    await Promise.all(
      feeds.map((feed, i) =>
        temporal.client.workflow.start(CRAWL_WORKFLOW, {
          taskQueue: TASK_QUEUE,
          workflowId: `bench-pipeline-crawl-${i}`,
          args: [{ channel: `channel-${i}`, url: `${origin}${feed}`, backfill: 'all' }],
        }),
      ),
    );
    const videos = feeds.length * VIDEOS_PER_CHANNEL;
    await waitUntil(async () => (await downloadedCount(db)) === videos, `${videos} videos downloaded`, 3_600_000, 200);
    const seconds = (Date.now() - triggeredAt) / 1000;

    const cpu: Record<string, number> = {};
    for (const [name, pid] of Object.entries(processes)) cpu[name] = (await cpuSecondsOf(pid)) - cpuBefore[name]!;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    cpu['this benchmark (polling)'] = (benchCpu.user + benchCpu.system) / 1e6;

    const downloads = await closedDownloads(temporal.client, videos);
    return { workers, videos, seconds, downloads, triggeredAt, eventTypes: await eventTypesOfOne(temporal.client), cpu };
  } catch (error) {
    for (const [i, worker] of running.entries()) console.error(`worker ${i + 1} said:\n${worker.output().slice(-5000)}`);
    throw error;
  } finally {
    for (const worker of running) await worker.stop();
    await db.destroy();
    await temporal.stop();
    await mariadb.stop();
    await rm(shm, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function report(result: RunResult): string[] {
  const { workers, videos, downloads } = result;
  // From the trigger to the last download workflow's close, by the server's clock.
  const lastClose = Math.max(...downloads.map((download) => download.closeMs));
  const span = (lastClose - result.triggeredAt) / 1000;
  const perSecond = videos / span;
  const inWorkflow = downloads.map((download) => download.closeMs - download.startMs);
  const sinceTrigger = downloads.map((download) => download.closeMs - result.triggeredAt);
  const events = downloads.map((download) => download.historyLength);
  const meanEvents = events.reduce((sum, n) => sum + n, 0) / events.length;
  const totalCpu = Object.values(result.cpu).reduce((sum, n) => sum + n, 0);
  console.log(`\n${workers} worker process${workers === 1 ? '' : 'es'}: ${videos} videos (${CHANNELS} channels × ${VIDEOS_PER_CHANNEL}, ${VIDEO_BYTES / 1024} KiB each)`);
  console.log(`  trigger to last download closed: ${span.toFixed(1)} s (the database said all downloaded after ${result.seconds.toFixed(1)} s) = ${perSecond.toFixed(2)} videos/s`);
  console.log(`  per video, download workflow start to close: p50 ${seconds(percentile(inWorkflow, 50))}, p95 ${seconds(percentile(inWorkflow, 95))}`);
  console.log(`  per video, trigger to its download closed: p50 ${seconds(percentile(sinceTrigger, 50))}, p95 ${seconds(percentile(sinceTrigger, 95))}`);
  console.log(`  history events per download workflow: mean ${meanEvents.toFixed(1)}, min ${Math.min(...events)}, max ${Math.max(...events)}`);
  console.log(`  one download's events: ${result.eventTypes}`);
  console.log(`  CPU seconds: ${Object.entries(result.cpu).map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')}; total ${totalCpu.toFixed(1)} = ${(totalCpu / videos).toFixed(3)} per video`);
  const label = `${workers} worker${workers === 1 ? '' : 's'}`;
  return [
    targetLine(`videos per second, ${label}`, perSecond >= TARGET_VIDEOS_PER_SECOND, perSecond.toFixed(2), `≥ ${TARGET_VIDEOS_PER_SECOND}`),
    targetLine(`history events per download, ${label}`, meanEvents <= TARGET_EVENTS_PER_DOWNLOAD, meanEvents.toFixed(1), `≤ ${TARGET_EVENTS_PER_DOWNLOAD}`),
  ];
}

async function main(): Promise<void> {
  if (![CHANNELS, VIDEOS_PER_CHANNEL, VIDEO_BYTES, ...WORKER_COUNTS].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`--workers, --channels, --videos and --kib take whole numbers above 0: ${JSON.stringify(options)}`);
  }
  const www = await mkdtemp(path.join('/dev/shm', 'parker-bench-pipeline-'));
  // nginx's worker runs as another user when started by root.
  await chmod(www, 0o755);
  const root = path.join(www, 'www');
  await mkdir(root, { recursive: true });
  const nginx = await startNginx(path.join(www, 'nginx'), root);
  try {
    const feeds: string[] = [];
    for (let i = 0; i < CHANNELS; i++) feeds.push(await writeEpisodeFeed(root, `channel-${i}`, VIDEOS_PER_CHANNEL, VIDEO_BYTES, nginx.origin));
    console.log(`machine: ${await machineLine()}`);
    const lines: string[] = [];
    for (const workers of WORKER_COUNTS) lines.push(...report(await runPipeline(workers, nginx.origin, feeds)));
    await printTargets(lines);
  } finally {
    await nginx.stop();
    await rm(www, { recursive: true, force: true });
  }
}

runBenchmark(main);
