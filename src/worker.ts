import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { parseDuration } from './rules/durations.ts';
import { createClaimActivities, createHostActivities, createMainQueueActivities } from './activities/index.ts';
import { loadSettings, type Settings } from './config/settings.ts';
import type { Db } from './db/connect.ts';
import { createHttpDownloader } from './downloaders/http.ts';
import { AddressPolicy } from './http/address-policy.ts';
import { createHttpClient } from './http/client.ts';
import { createYtDlpDownloader } from './downloaders/ytdlp.ts';
import { prebuiltWorkflowBundle } from './bundle-workflows.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { createLogger } from './log.ts';
import { isCompiled, siblingModulePath } from './module-path.ts';
import { downloadTaskQueueFor, hostTaskQueueFor } from './shared/names.ts';
import { createFeedSource } from './sources/feed.ts';
import { createYoutubeSource } from './sources/youtube.ts';
import { createYtDlpSource } from './sources/ytdlp.ts';
import { tracingWorkerOptions, WORKFLOW_INTERCEPTOR_MODULES } from './telemetry/interceptors.ts';
import { activityMetrics } from './telemetry/metrics.ts';
import type { Tracing } from './telemetry/tracing.ts';
import { startServices } from './services.ts';
import { MEDIA_TRANSFER } from './workflows/policies.ts';
import { checkYtDlp } from './ytdlp/version.ts';

// The composition root of the worker: settings → telemetry → yt-dlp check → database,
// sources, downloaders → activities → three Temporal workers on one connection:
//  - `<queue>` runs the workflows and the short activities (listing, database);
//  - `<queue>-downloads`, shared by all workers, hands each transfer to a host;
//  - `<queue>-host-<host id>`, this worker's own, runs the transfers pinned to it and
//    their renames, with PARKER_MAX_DOWNLOADS slots, so that number bounds concurrent
//    downloads without starving crawls, and a retried transfer finds its part file.

/** Activity slots for the short activities of the main queue. */
const MAIN_QUEUE_ACTIVITY_SLOTS = 20;
/**
 * Workflows kept in memory between their tasks. The SDK's default grows with the heap
 * limit (thousands); most of Parker's open workflows are downloads waiting on a transfer
 * for minutes, and one evicted is replayed from its ~40 events when its next task comes:
 * CPU for a cache miss, never a wrong result. 100 holds every workflow that is moving on a
 * worker with the default four transfers, at a bounded cost (BENCHMARKS.md, memory).
 */
const WORKFLOW_CACHE_SIZE = 100;
/** Workflow tasks at once: they run on one thread, so more only queue up inside the worker. */
const WORKFLOW_TASK_SLOTS = 10;

export interface WorkerDeps {
  connection: NativeConnection;
  settings: Settings;
  db: Db;
  tracing: Tracing;
  /**
   * A prebuilt workflow bundle (tests build it once, with WORKFLOW_INTERCEPTOR_MODULES);
   * otherwise the compiled worker loads the one `npm run build` made, and the worker run
   * from its sources bundles src/workflows.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Builds the workers; the Temporal runtime must be installed already (installRuntime). */
export async function createWorkers({ connection, settings, db, tracing, workflowBundle }: WorkerDeps): Promise<Worker[]> {
  // Refuse to start with a missing or vulnerable yt-dlp rather than fail every download later.
  await checkYtDlp(settings.ytdlp.path, { allowOutdated: settings.ytdlp.allowOutdated });
  const binary = settings.ytdlp.path;
  // One client for every feed, page and media request, with the worker's address policy.
  const http = createHttpClient({ addressPolicy: new AddressPolicy(settings.allowPrivate) });
  const host = { hostId: settings.hostId, taskQueue: hostTaskQueueFor(settings.temporal.taskQueue, settings.hostId) };
  const metrics = activityMetrics(Runtime.instance().metricMeter);
  const mainQueueActivities = createMainQueueActivities({
    db,
    // In order: YouTube's own addresses, then feeds; a URL that answers with a web page
    // instead of a feed goes on to yt-dlp.
    sources: [
      createYoutubeSource({ http, baseUrl: settings.youtubeBaseUrl, ytdlp: { binary } }),
      createFeedSource({ http }),
      createYtDlpSource({ binary }),
    ],
    downloadDir: settings.downloadDir,
    configPath: settings.configPath,
    siteCooldownMs: settings.siteCooldownMs,
    metrics,
  });
  const hostActivities = createHostActivities({
    db,
    downloaders: [
      createHttpDownloader({ http }),
      // A silent yt-dlp is killed when Temporal would give up on its heartbeats anyway.
      createYtDlpDownloader({ binary, stallTimeoutMs: parseDuration(String(MEDIA_TRANSFER.heartbeatTimeout), 'MEDIA_TRANSFER.heartbeatTimeout') }),
    ],
    downloadDir: settings.downloadDir,
    metrics,
  });
  const traced = tracingWorkerOptions(tracing);
  const common = { connection, namespace: settings.temporal.namespace, ...traced };
  const bundle = workflowBundle ?? (isCompiled(import.meta.url) ? await prebuiltWorkflowBundle() : undefined);
  const main = await Worker.create({
    ...common,
    taskQueue: settings.temporal.taskQueue,
    ...(bundle
      ? { workflowBundle: bundle }
      : {
          workflowsPath: siblingModulePath('./workflows/index.ts', import.meta.url),
          interceptors: { ...traced.interceptors, workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
        }),
    activities: mainQueueActivities,
    maxConcurrentActivityTaskExecutions: MAIN_QUEUE_ACTIVITY_SLOTS,
    maxCachedWorkflows: WORKFLOW_CACHE_SIZE,
    maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
  });
  const claims = await Worker.create({
    ...common,
    taskQueue: downloadTaskQueueFor(settings.temporal.taskQueue),
    activities: createClaimActivities({ host }),
    maxConcurrentActivityTaskExecutions: settings.maxDownloads,
  });
  const transfers = await Worker.create({
    ...common,
    taskQueue: host.taskQueue,
    activities: hostActivities,
    maxConcurrentActivityTaskExecutions: settings.maxDownloads,
    // Send a transfer's progress every few seconds, not every 0.8 x heartbeat timeout,
    // so the Web UI's pending activity shows it moving.
    maxHeartbeatThrottleInterval: '3s',
  });
  return [main, claims, transfers];
}

/** Runs the workers until a signal stops them; if one fails, the others are shut down. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const stopAll = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  await Promise.all(
    workers.map((worker) =>
      worker.run().catch((error: unknown) => {
        stopAll();
        throw error;
      }),
    ),
  );
}

/** `npm run worker`: a worker alone, against TEMPORAL_ADDRESS or a dev server of its own. */
async function main(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings.logLevel);
  const { tracing, endpoint, db, close } = await startServices(settings, log);
  try {
    const connection = await NativeConnection.connect(endpoint.connection);
    const workers = await createWorkers({ connection, settings, db, tracing });
    log.info({ taskQueue: settings.temporal.taskQueue, maxDownloads: settings.maxDownloads }, 'worker running');
    await runWorkers(workers);
    await connection.close();
  } finally {
    await close();
  }
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker worker', main);
