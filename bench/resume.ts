// `npm run bench:resume`: a worker killed (SIGKILL) halfway through a 1 GiB download, and
// a new one started at once, as after a crash and a restart by the supervisor. The
// compiled worker (`npm run build`), a dev server of its own, SQLite; the file comes from
// a loopback server that counts what it sends (bench/lib/counting-server.ts). Prints the
// bytes the server sent twice (what the first response sent beyond where the resume's
// Range starts) and the time from the new worker's start to bytes moving again, against
// the targets: ≤ 8 MiB, and ≤ the transfer's heartbeat timeout + 2 s (the server gives
// the killed attempt up after that timeout, then the new worker resumes it).
//   BENCH_FILE_MIB (default 1024), BENCH_RUNS (default 1), BENCH_RATE_MIBS (default: as
//   fast as the worker reads; e.g. 50 for a site that sends 50 MiB/s)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rssFeed } from '../src/demo/rss-feed.ts';
import { connectDb } from '../src/db/connect.ts';
import { listVideos } from '../src/db/videos.ts';
import { parseDuration } from '../src/rules/durations.ts';
import { CRAWL_WORKFLOW } from '../src/shared/names.ts';
import { MEDIA_TRANSFER } from '../src/workflows/policies.ts';
import { startCountingServer, type ServedRequest } from './lib/counting-server.ts';
import { machineLine, targetLine, runBenchmark, printTargets } from './lib/measure.ts';
import { writeMediaFile } from './lib/media-site.ts';
import { startCompiledWorker, startTemporal, waitUntil, type Temporal, type WorkerSettings } from './lib/stack.ts';

const MIB = 2 ** 20;
const FILE_BYTES = Number(process.env.BENCH_FILE_MIB ?? 1024) * MIB;
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const RATE_MIBS = process.env.BENCH_RATE_MIBS ? Number(process.env.BENCH_RATE_MIBS) : undefined;
const HEARTBEAT_TIMEOUT_MS = parseDuration(String(MEDIA_TRANSFER.heartbeatTimeout), 'MEDIA_TRANSFER.heartbeatTimeout');
const TARGET_TWICE_BYTES = 8 * MIB;
const TARGET_RESUME_MS = HEARTBEAT_TIMEOUT_MS + 2_000;

/** Bytes waiting in the kernel on either end of the server's connections (`ss`): sent but not yet acknowledged, received but not yet read by the worker. */
interface SocketQueues {
  serverUnacked: number;
  workerUnread: number;
}

async function socketQueues(port: number): Promise<SocketQueues> {
  const { stdout } = await promisify(execFile)('ss', ['-tnH', 'state', 'established', `( sport = :${port} or dport = :${port} )`]);
  const queues = { serverUnacked: 0, workerUnread: 0 };
  for (const line of stdout.trim().split('\n').filter(Boolean)) {
    // Recv-Q Send-Q Local:port Peer:port (no State column with a state filter)
    const [recvQ, sendQ, local] = line.trim().split(/\s+/);
    if (local?.endsWith(`:${port}`)) queues.serverUnacked += Number(sendQ);
    else queues.workerUnread += Number(recvQ);
  }
  return queues;
}

interface ResumeResult {
  atKill: SocketQueues;
  first: ServedRequest;
  resumed: ServedRequest;
  twiceBytes: number;
  /** From the new worker's spawn to the resumed response's first body byte. */
  resumeMs: number;
  /** From the kill to the same. */
  sinceKillMs: number;
  /** From the new worker's "worker running" line to the same. */
  sinceRunningMs: number;
  totalSeconds: number;
}

async function killHalfway(temporal: Temporal, scratch: string, origin: string, served: ServedRequest[], run: number): Promise<ResumeResult> {
  const channel = `resume-${run}`;
  const settings: WorkerSettings = {
    temporalAddress: temporal.server.address,
    taskQueue: `bench-resume-${run}`,
    dataDir: path.join(scratch, `data-${run}`),
    downloadDir: path.join(scratch, `downloads-${run}`),
  };
  await mkdir(settings.downloadDir, { recursive: true });
  const db = connectDb(undefined, settings.dataDir);
  const before = served.length;
  let worker = await startCompiledWorker(settings);
  try {
    const started = Date.now();
    await temporal.client.workflow.start(CRAWL_WORKFLOW, {
      taskQueue: settings.taskQueue,
      workflowId: `bench-resume-crawl-${run}`,
      args: [{ channel, url: `${origin}/feed.xml`, backfill: 1 }],
    });
    const media = () => served.slice(before).filter((request) => request.path === '/media.mp4');
    await waitUntil(async () => (media()[0]?.bodyBytes ?? 0) >= FILE_BYTES / 2, 'the first half of the file to be sent', 600_000, 20);
    const atKill = await socketQueues(Number(new URL(origin).port));
    const killedAt = Date.now();
    await worker.stop('SIGKILL');
    const first = media()[0]!;
    // What the server had sent when the connection died is settled once the response closed.
    await waitUntil(async () => first.ended, 'the killed transfer’s response to close', 30_000, 20);

    const spawnedAt = Date.now();
    worker = await startCompiledWorker(settings);
    const runningAt = Date.now();
    await waitUntil(async () => media()[1]?.firstByteAt !== undefined, 'the resumed transfer’s first bytes', 600_000, 20);
    const resumed = media()[1]!;
    await waitUntil(
      async () => {
        const [video] = await listVideos(db, channel);
        if (video?.status === 'failed') throw new Error(`the download failed: ${video.reason}`);
        return video?.status === 'downloaded';
      },
      'the download to finish',
      600_000,
      200,
    );
    if (media().length !== 2) throw new Error(`expected two requests for the file, one before and one after the kill: ${JSON.stringify(media())}`);
    return {
      atKill,
      first,
      resumed,
      twiceBytes: Math.max(0, first.start + first.bodyBytes - resumed.start),
      resumeMs: resumed.firstByteAt! - spawnedAt,
      sinceKillMs: resumed.firstByteAt! - killedAt,
      sinceRunningMs: resumed.firstByteAt! - runningAt,
      totalSeconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    console.error(`the worker said:\n${worker.output().slice(-5000)}`);
    throw error;
  } finally {
    await worker.stop();
    await db.destroy();
    await rm(settings.downloadDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join('/dev/shm', 'parker-bench-resume-'));
  await chmod(scratch, 0o755);
  const mediaFile = path.join(scratch, 'media.mp4');
  await writeMediaFile(mediaFile, FILE_BYTES);
  const feedFile = path.join(scratch, 'feed.xml');
  const server = await startCountingServer({
    '/feed.xml': { file: feedFile, contentType: 'application/rss+xml' },
    '/media.mp4': { file: mediaFile, contentType: 'video/mp4' },
  }, RATE_MIBS === undefined ? undefined : RATE_MIBS * MIB);
  await writeFile(
    feedFile,
    rssFeed('resume', [
      { guid: 'big', title: 'Big episode', mediaUrl: `${server.origin}/media.mp4`, mediaType: 'video/mp4', length: FILE_BYTES, publishedAt: new Date(Date.UTC(2025, 0, 1)) },
    ]),
  );
  const temporalDir = await mkdtemp(path.join(os.tmpdir(), 'parker-bench-resume-'));
  const temporal = await startTemporal(temporalDir);
  console.log(`machine: ${await machineLine()}`);
  console.log(`the server sends ${RATE_MIBS === undefined ? 'as fast as the worker reads' : `${RATE_MIBS} MiB/s`}`);
  try {
    const lines: string[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const result = await killHalfway(temporal, scratch, server.origin, server.requests, run);
      const mib = (bytes: number) => `${(bytes / MIB).toFixed(2)} MiB`;
      const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(`\nrun ${run}: ${mib(FILE_BYTES)} in ${result.totalSeconds.toFixed(1)} s`);
      console.log(`  before the kill: ${mib(result.first.bodyBytes)} sent from byte 0`);
      console.log(`  after: one request with Range ${result.resumed.range}, ${mib(result.resumed.bodyBytes)} sent`);
      console.log(`  sent twice: ${mib(result.twiceBytes)}; at the kill (read by ss just before it) ${mib(result.atKill.serverUnacked)} were in the server's send queue and ${mib(result.atKill.workerUnread)} in the worker's receive queue, unread`);
      console.log(`  bytes moving again: ${s(result.resumeMs)} after the new worker was started (${s(result.sinceRunningMs)} after it said "worker running", ${s(result.sinceKillMs)} after the kill)`);
      lines.push(
        targetLine(`bytes fetched twice, run ${run}`, result.twiceBytes <= TARGET_TWICE_BYTES, mib(result.twiceBytes), `≤ ${mib(TARGET_TWICE_BYTES)}`),
        targetLine(`new worker's start to bytes moving, run ${run}`, result.resumeMs <= TARGET_RESUME_MS, s(result.resumeMs), `≤ ${s(TARGET_RESUME_MS)}: heartbeat timeout ${s(HEARTBEAT_TIMEOUT_MS)} + 2 s`),
      );
    }
    await printTargets(lines);
  } finally {
    await temporal.stop();
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
    await rm(temporalDir, { recursive: true, force: true });
  }
}

runBenchmark(main);
