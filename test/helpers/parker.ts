import { randomBytes, createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type WorkflowBundleOption } from '@temporalio/worker';
import { defaultHostId, type Settings, type TelemetrySettings } from '../../src/config/settings.ts';
import { connectDb, type Db } from '../../src/db/connect.ts';
import { listVideos, UNFINISHED, type VideoRow } from '../../src/db/videos.ts';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import type { CrawlInput, CrawlSummary } from '../../src/shared/crawl.ts';
import { metricsExporter } from '../../src/telemetry/runtime.ts';
import { startTracing, type Tracing } from '../../src/telemetry/tracing.ts';
import { createWorkers, runWorkers } from '../../src/worker.ts';
import { FixtureServer } from './fixture-server.ts';
import { after } from 'node:test';
import { services } from './services.ts';
import { DEFAULT_YOUTUBE_BASE_URL } from '../../src/sources/youtube-url.ts';

// A Parker worker for one test: real Temporal, real MySQL, real files, its own task
// queue and download folder, so test files can run side by side.

let runtimeInstalled = false;

/**
 * Installs this test process's Temporal runtime (each test file runs in a process of its
 * own), with the metrics exporter Parker would use for these settings. Quiet: activity
 * failures are the point of many tests, and the SDK would log each one as a warning.
 */
export function installTestRuntime(telemetry: TelemetrySettings = { serviceName: 'parker-test' }): void {
  if (runtimeInstalled) throw new Error('the Temporal runtime is installed already: install it before startParker');
  const metrics = metricsExporter(telemetry);
  Runtime.install({ logger: new DefaultLogger('ERROR'), ...(metrics ? { telemetryOptions: { metrics } } : {}) });
  runtimeInstalled = true;
}

export interface TestParker {
  client: Client;
  db: Db;
  settings: Settings;
  downloadDir: string;
  taskQueue: string;
  stop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Settings as the worker would read them, pointing at the test services and a scratch folder. */
export function testSettings(scratch: string, overrides: Partial<Settings> = {}): Settings {
  return {
    temporal: { address: services.temporalAddress, namespace: 'default', taskQueue: uniqueName('test-queue') },
    databaseUrl: services.databaseUrl,
    downloadDir: path.join(scratch, 'downloads'),
    configPath: path.join(scratch, 'channels.yaml'),
    dataDir: path.join(scratch, 'data'),
    maxDownloads: 4,
    // Short, so that a test that meets a throttled site does not wait an hour.
    siteCooldownMs: 3_000,
    diskFullPauseMs: 1_000,
    // Seconds, so that a test can watch a transient failure come back.
    retryDelaysMs: [2_000, 2_000],
    // The fixture server is on 127.0.0.1; every other special address stays refused.
    allowPrivate: ['127.0.0.1'],
    logLevel: 'warn',
    hostId: defaultHostId(overrides.downloadDir ?? path.join(scratch, 'downloads')),
    hostIdFromContainerName: false,
    roles: { crawl: true, download: true },
    ytdlp: { path: services.ytdlp, allowOutdated: false },
    // The virtualenv of yt-dlp has apprise too (scripts/ytdlp-requirements.txt).
    apprisePath: path.join(path.dirname(services.ytdlp), 'apprise'),
    youtubeBaseUrl: DEFAULT_YOUTUBE_BASE_URL,
    telemetry: { serviceName: 'parker-test' },
    ...overrides,
  };
}

/**
 * Starts a worker. `tracing` defaults to what the settings ask for (no endpoint: spans
 * are made and dropped); the runtime is installed quietly unless the test did it first.
 */
export async function startParker(
  overrides: Partial<Settings> = {},
  options: { tracing?: Tracing; workflowBundle?: WorkflowBundleOption } = {},
): Promise<TestParker> {
  if (!runtimeInstalled) installTestRuntime();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-it-'));
  const settings = testSettings(scratch, overrides);
  const tracing = options.tracing ?? startTracing(settings.telemetry);
  const db = connectDb(settings.databaseUrl, settings.dataDir);
  const address = settings.temporal.address!;
  const workerConnection = await NativeConnection.connect({ address });
  const workers = await createWorkers({
    connection: workerConnection,
    settings,
    db,
    tracing,
    workflowBundle: options.workflowBundle ?? { codePath: services.workflowBundlePath },
  });
  const running = runWorkers(workers);
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  return {
    client,
    db,
    settings,
    downloadDir: settings.downloadDir,
    taskQueue: settings.temporal.taskQueue,
    async stop() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await workerConnection.close();
      await clientConnection.close();
      if (!options.tracing) await tracing.shutdown();
      await db.destroy();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Runs one crawl to its end, as a schedule would start it, and returns its summary. */
export async function runCrawl(parker: TestParker, input: CrawlInput): Promise<CrawlSummary> {
  return parker.client.workflow.execute<(input: CrawlInput) => Promise<CrawlSummary>>(CRAWL_WORKFLOW, {
    taskQueue: parker.taskQueue,
    workflowId: uniqueName(`test-crawl-${input.channel}`),
    args: [input],
    workflowExecutionTimeout: '2m',
  });
}

/**
 * Waits until the channel has recorded videos and none of them is discovered or
 * downloading any more, and returns them all.
 */
export async function settledVideos(db: Db, channel: string, timeoutMs = 120_000): Promise<VideoRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const videos = await listVideos(db, channel);
    if (videos.length > 0 && videos.every((video) => !UNFINISHED.includes(video.status))) return videos;
    if (Date.now() > deadline) {
      const open = videos.filter((video) => UNFINISHED.includes(video.status)).map((v) => `${v.externalId}:${v.status}`);
      throw new Error(`videos of ${channel} still unfinished after ${timeoutMs}ms: ${open.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Asks `check` every 100 ms until it gives a value, and returns that value. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function mediaBytes(size: number): Buffer {
  return randomBytes(size);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The fixture channel server and a Parker worker that the tests of one file share,
 * started now (top-level await) and stopped after the file's tests.
 */
export async function fixtureAndParker(
  overrides: Partial<Settings> | ((server: FixtureServer) => Partial<Settings>) = {},
): Promise<{ server: FixtureServer; parker: TestParker }> {
  const server = await FixtureServer.start();
  const parker = await startParker(typeof overrides === 'function' ? overrides(server) : overrides);
  after(async () => {
    await parker.stop();
    await server.close();
  });
  return { server, parker };
}
