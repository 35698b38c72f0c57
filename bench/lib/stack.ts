import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ensureTemporalCli } from '../../src/temporal/cli.ts';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { productionNodeFlags } from '../../test/helpers/production-node.ts';
import { cpuSecondsOf } from './measure.ts';

// What the orchestration benchmarks run against: a Temporal dev server of their own, and
// Parker's compiled worker (`npm run build`) as a process of its own, started the way
// production starts it (plain node, no npm or tsx, jemalloc preloaded as in the
// Dockerfile), so its RSS is the worker's alone.

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const COMPILED_WORKER = path.join(ROOT, 'dist', 'worker.js');
/** node's flags in production: the Dockerfile's CMD and `npm run start:prod`. */
export const PRODUCTION_NODE_FLAGS = productionNodeFlags();

/**
 * The Dockerfile's allocator, jemalloc preloaded (Debian's libjemalloc2, under the
 * architecture's lib directory). Fails loudly, naming the package, when it is missing:
 * a worker measured on glibc's malloc is not the one production runs.
 */
export function productionAllocatorEnv(): Record<string, string> {
  const lib = '/usr/lib';
  const found = readdirSync(lib)
    .filter((entry) => entry.endsWith('-linux-gnu'))
    .map((entry) => path.join(lib, entry, 'libjemalloc.so.2'))
    .find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`libjemalloc.so.2 is missing under ${lib}/*-linux-gnu: install Debian's libjemalloc2 (the Dockerfile's allocator)`);
  return { LD_PRELOAD: found };
}
const YTDLP = process.env.YTDLP_PATH ?? path.join(ROOT, '.tools/ytdlp/bin/yt-dlp');

export interface Temporal {
  server: DevServer;
  client: Client;
  stop(): Promise<void>;
}

export async function startTemporal(scratch: string): Promise<Temporal> {
  const server = await startDevServer({
    cliPath: process.env.TEMPORAL_CLI ?? (await ensureTemporalCli()),
    dbFile: path.join(scratch, 'temporal.db'),
    port: await freePort(),
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  return {
    server,
    client,
    async stop() {
      await connection.close();
      await server.stop();
    },
  };
}

export interface WorkerSettings {
  temporalAddress: string;
  taskQueue: string;
  /** A MySQL URL; unset: SQLite in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  downloadDir: string;
  maxDownloads?: number;
  hostId?: string;
  extraEnv?: Record<string, string>;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /**
   * Resident set now, and its peak so far (VmRSS, VmHWM), in bytes; of the resident set,
   * how much is anonymous memory (heaps, allocator arenas, stacks: RssAnon) and how much
   * is mapped files (node's and the Temporal core's code: RssFile).
   */
  memory(): Promise<{ rss: number; peak: number; anonymous: number; files: number }>;
  /** CPU seconds the process has used (utime + stime). */
  cpuSeconds(): Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node dist/worker.js` and waits for its "worker running" line. */
export async function startCompiledWorker(settings: WorkerSettings): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, COMPILED_WORKER], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_TASK_QUEUE: settings.taskQueue,
      DATABASE_URL: settings.databaseUrl ?? '',
      PARKER_DATA_DIR: settings.dataDir,
      DOWNLOAD_DIR: settings.downloadDir,
      PARKER_MAX_DOWNLOADS: String(settings.maxDownloads ?? 4),
      PARKER_ALLOW_PRIVATE: '127.0.0.1',
      PARKER_HOST_ID: settings.hostId ?? 'bench',
      YTDLP_PATH: YTDLP,
      LOG_LEVEL: 'info',
      ...productionAllocatorEnv(),
      ...settings.extraEnv,
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-50_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!output.includes('worker running')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start within 120 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid!;
  return {
    child,
    pid,
    output: () => output,
    async memory() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { rss: kib('VmRSS'), peak: kib('VmHWM'), anonymous: kib('RssAnon'), files: kib('RssFile') };
    },
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
