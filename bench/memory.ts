// `npm run bench:memory`: the compiled worker's resident memory (`node dist/worker.js`,
// no npm or tsx around it, jemalloc preloaded as in the Dockerfile). Peak RSS while four downloads run at once, of 4 GiB each
// against 100 MiB each: the downloader streams, so the size of a file must not show.
// Then the idle worker after 1,000 channels were scheduled and crawled once, beside a
// worker that has had no work at all (what the burst of first crawls left behind).
//   BENCH_BIG_MIB (default 4096), BENCH_SMALL_MIB (100), BENCH_CHANNELS (1000),
//   BENCH_DOWNLOAD_DIR (default: a folder under /tmp, on disk: 16 GiB do not fit in RAM),
//   BENCH_PART (default `downloads,idle`: which of the two to run)
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { syncSchedules } from '../src/temporal/channel-schedules.ts';
import { loadChannelList } from '../src/config/channels.ts';
import { CRAWL_WORKFLOW } from '../src/shared/names.ts';
import { connectDb } from '../src/db/connect.ts';
import { listVideos } from '../src/db/videos.ts';
import { rssFeed } from '../src/demo/rss-feed.ts';
import { machineLine, targetLine, runBenchmark, printTargets } from './lib/measure.ts';
import { writeEpisodeFeed } from './lib/media-site.ts';
import { startNginx } from './lib/nginx.ts';
import { startCompiledWorker, startTemporal, waitUntil, type Temporal } from './lib/stack.ts';

const MIB = 2 ** 20;
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 4096);
const SMALL_MIB = Number(process.env.BENCH_SMALL_MIB ?? 100);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 1000);
const PARALLEL = 4;
const PARTS = new Set((process.env.BENCH_PART ?? 'downloads,idle').split(','));

interface IdleMemory {
  rss: number;
  peak: number;
  anonymous: number;
  files: number;
  /** A worker with no work at all, 20 s after its start (idleBeforeAnyWork). */
  atStart: number;
}

interface Sampled {
  peak: number;
  seconds: number;
}

/** One fresh worker downloads the feed's four episodes at once; its peak RSS meanwhile. */
async function peakWhileDownloading(temporal: Temporal, scratch: string, feedUrl: string, name: string): Promise<Sampled> {
  const dataDir = path.join(scratch, `data-${name}`);
  const downloadDir = process.env.BENCH_DOWNLOAD_DIR ?? path.join(scratch, `downloads-${name}`);
  await mkdir(downloadDir, { recursive: true });
  const taskQueue = `bench-memory-${name}`;
  const worker = await startCompiledWorker({
    temporalAddress: temporal.server.address,
    taskQueue,
    dataDir,
    downloadDir,
    maxDownloads: PARALLEL,
  });
  const db = connectDb(undefined, dataDir);
  try {
    const started = Date.now();
    await temporal.client.workflow.start(CRAWL_WORKFLOW, {
      taskQueue,
      workflowId: `bench-memory-crawl-${name}`,
      args: [{ channel: name, url: feedUrl, backfill: PARALLEL }],
    });
    await waitUntil(
      async () => {
        const videos = await listVideos(db, name);
        const failed = videos.find((video) => video.status === 'failed');
        if (failed) throw new Error(`${failed.externalId} failed: ${failed.reason}\n${worker.output()}`);
        return videos.length === PARALLEL && videos.every((video) => video.status === 'downloaded');
      },
      `${PARALLEL} downloads of ${name}`,
      3_600_000,
      1_000,
    );
    const { peak } = await worker.memory();
    return { peak, seconds: (Date.now() - started) / 1000 };
  } finally {
    await db.destroy();
    await worker.stop();
    await rm(downloadDir, { recursive: true, force: true });
  }
}

/** A worker with nothing to do (a task queue of its own, no channels), 20 s after it started: its RSS. */
async function idleBeforeAnyWork(temporal: Temporal, scratch: string): Promise<number> {
  const worker = await startCompiledWorker({
    temporalAddress: temporal.server.address,
    taskQueue: 'bench-memory-empty',
    dataDir: path.join(scratch, 'data-empty'),
    downloadDir: path.join(scratch, 'downloads-empty'),
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    return (await worker.memory()).rss;
  } finally {
    await worker.stop();
  }
}

/** Schedules CHANNELS channels whose feeds are empty, lets their first crawls run, then reads the idle worker's RSS. */
async function idleWithChannels(temporal: Temporal, scratch: string, root: string, origin: string): Promise<IdleMemory> {
  await mkdir(path.join(root, 'channels'), { recursive: true });
  const lines = ['channels:'];
  for (let i = 0; i < CHANNELS; i++) {
    const name = `idle-${String(i).padStart(4, '0')}`;
    await writeFile(path.join(root, 'channels', `${name}.xml`), rssFeed(name, []));
    lines.push(`  - name: ${name}`, `    url: ${origin}/channels/${name}.xml`, '    every: 1h');
  }
  const atStart = await idleBeforeAnyWork(temporal, scratch);
  const configPath = path.join(scratch, 'channels.yaml');
  await writeFile(configPath, `${lines.join('\n')}\n`);
  const taskQueue = 'bench-memory-idle';
  const list = await loadChannelList(configPath);
  if (list.problems.length > 0) throw new Error(`channel list: ${JSON.stringify(list.problems)}`);
  const syncStarted = Date.now();
  // The creates come first; the sync's deletion scan after them may time out on a dev server
  // busy starting a thousand first crawls (BENCHMARKS.md, schedule sync). What is measured
  // here is the worker, so such a failure is reported and the schedules made are used.
  const synced = await syncSchedules(temporal.client, list.channels, { taskQueue }).then(
    () => 'synced',
    (error: unknown) => `sync failed after the creates: ${(error as Error).message}`,
  );
  console.log(`  ${CHANNELS} schedules, ${synced}, in ${((Date.now() - syncStarted) / 1000).toFixed(1)} s (each triggers its first crawl)`);
  await waitUntil(
    async () => (await temporal.client.workflow.count(`TaskQueue="${taskQueue}"`)).count >= CHANNELS,
    'every first crawl to be started',
    600_000,
    1_000,
  );
  const worker = await startCompiledWorker({
    temporalAddress: temporal.server.address,
    taskQueue,
    dataDir: path.join(scratch, 'data-idle'),
    downloadDir: path.join(scratch, 'downloads-idle'),
  });
  try {
    const crawlsStarted = Date.now();
    const running = async () =>
      (await temporal.client.workflow.count(`TaskQueue="${taskQueue}" AND ExecutionStatus="Running"`)).count;
    await waitUntil(async () => (await running()) === 0, 'the first crawls to finish', 1_800_000, 2_000);
    console.log(`  first crawls of ${CHANNELS} channels done in ${((Date.now() - crawlsStarted) / 1000).toFixed(1)} s`);
    // Idle: nothing due for an hour. Let the heap settle after the burst.
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    return { ...(await worker.memory()), atStart };
  } finally {
    await worker.stop();
  }
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'parker-bench-memory-'));
  const shm = await mkdtemp(path.join('/dev/shm', 'parker-bench-memory-'));
  // nginx's worker runs as another user when started by root.
  await chmod(shm, 0o755);
  const root = path.join(shm, 'www');
  await mkdir(root, { recursive: true });
  const nginx = await startNginx(path.join(shm, 'nginx'), root);
  const temporal = await startTemporal(scratch);
  console.log(`machine: ${await machineLine()}`);
  try {
    const lines: string[] = [];
    if (PARTS.has('downloads')) {
      const smallFeed = await writeEpisodeFeed(root, 'small', PARALLEL, SMALL_MIB * MIB, nginx.origin);
      const bigFeed = await writeEpisodeFeed(root, 'big', PARALLEL, BIG_MIB * MIB, nginx.origin);
      const small = await peakWhileDownloading(temporal, scratch, `${nginx.origin}${smallFeed}`, 'small');
      console.log(`${PARALLEL} × ${SMALL_MIB} MiB at once: peak RSS ${(small.peak / MIB).toFixed(0)} MiB (${small.seconds.toFixed(0)} s)`);
      const big = await peakWhileDownloading(temporal, scratch, `${nginx.origin}${bigFeed}`, 'big');
      console.log(`${PARALLEL} × ${BIG_MIB} MiB at once: peak RSS ${(big.peak / MIB).toFixed(0)} MiB (${big.seconds.toFixed(0)} s)`);
      const growth = big.peak / small.peak - 1;
      lines.push(targetLine(`peak RSS growth, ${BIG_MIB} MiB vs ${SMALL_MIB} MiB downloads`, growth <= 0.1, `${(growth * 100).toFixed(1)} %`, '≤ 10 %'));
    }
    if (PARTS.has('idle')) {
      const idle = await idleWithChannels(temporal, scratch, root, nginx.origin);
      const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
      console.log(`idle worker before any work: RSS ${mib(idle.atStart)}`);
      console.log(
        `idle after ${CHANNELS} channels: RSS ${mib(idle.rss)} (anonymous ${mib(idle.anonymous)}, mapped files ${mib(idle.files)}; peak during their first crawls ${mib(idle.peak)})`,
      );
      lines.push(targetLine(`idle RSS with ${CHANNELS} channels`, idle.rss <= 200 * MIB, `${(idle.rss / MIB).toFixed(0)} MiB`, '≤ 200 MiB'));
    }
    await printTargets(lines);
  } finally {
    await temporal.stop();
    await nginx.stop();
    await rm(shm, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

runBenchmark(main);
