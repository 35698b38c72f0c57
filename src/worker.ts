import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { loadSettings, type Settings } from './config/settings.ts';
import { connectDb, migrate, type Db } from './db/connect.ts';
import { createHttpDownloader } from './downloaders/http.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { createLogger } from './log.ts';
import { downloadTaskQueueFor } from './shared/names.ts';
import { createFeedSource } from './sources/feed.ts';
import { tracingWorkerOptions, WORKFLOW_INTERCEPTOR_MODULES } from './telemetry/interceptors.ts';
import { activityMetrics } from './telemetry/metrics.ts';
import { installRuntime } from './telemetry/runtime.ts';
import { startTracing, type Tracing } from './telemetry/tracing.ts';
import { temporalEndpoint } from './temporal/connect.ts';

// The composition root of the worker: settings → telemetry → database, sources,
// downloader → activities → two Temporal workers on one connection:
//  - `<queue>` runs the workflows and the short activities (listing, database, rename);
//  - `<queue>-downloads` runs only media transfers, with PARKER_MAX_DOWNLOADS slots, so
//    that number bounds concurrent downloads without starving crawls.

/** Activity slots for the short activities of the main queue. */
const MAIN_QUEUE_ACTIVITY_SLOTS = 20;

export interface WorkerDeps {
  connection: NativeConnection;
  settings: Settings;
  db: Db;
  tracing: Tracing;
  /**
   * A prebuilt workflow bundle (tests build it once, with WORKFLOW_INTERCEPTOR_MODULES);
   * otherwise the worker bundles src/workflows.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Builds the workers; the Temporal runtime must be installed already (installRuntime). */
export async function createWorkers({ connection, settings, db, tracing, workflowBundle }: WorkerDeps): Promise<Worker[]> {
  const { downloadMedia, ...activities } = createActivities({
    db,
    sources: [createFeedSource()],
    downloader: createHttpDownloader(),
    downloadDir: settings.downloadDir,
    metrics: activityMetrics(Runtime.instance().metricMeter),
  });
  const traced = tracingWorkerOptions(tracing);
  const common = { connection, namespace: settings.temporal.namespace, ...traced };
  const main = await Worker.create({
    ...common,
    taskQueue: settings.temporal.taskQueue,
    ...(workflowBundle
      ? { workflowBundle }
      : {
          workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
          interceptors: { ...traced.interceptors, workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
        }),
    activities,
    maxConcurrentActivityTaskExecutions: MAIN_QUEUE_ACTIVITY_SLOTS,
  });
  const downloads = await Worker.create({
    ...common,
    taskQueue: downloadTaskQueueFor(settings.temporal.taskQueue),
    activities: { downloadMedia },
    maxConcurrentActivityTaskExecutions: settings.maxDownloads,
    // Send a transfer's progress every few seconds, not every 0.8 x heartbeat timeout,
    // so the Web UI's pending activity shows it moving.
    maxHeartbeatThrottleInterval: '3s',
  });
  return [main, downloads];
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
  installRuntime(log, settings.telemetry);
  const tracing = startTracing(settings.telemetry);
  const endpoint = await temporalEndpoint(settings, log);
  const db = connectDb(settings.databaseUrl, settings.dataDir);
  try {
    await migrate(db);
    const connection = await NativeConnection.connect({ address: endpoint.address });
    const workers = await createWorkers({ connection, settings, db, tracing });
    log.info({ taskQueue: settings.temporal.taskQueue, maxDownloads: settings.maxDownloads }, 'worker running');
    await runWorkers(workers);
    await connection.close();
  } finally {
    await tracing.shutdown();
    await db.destroy();
    await endpoint.devServer?.stop();
  }
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker worker', main);
