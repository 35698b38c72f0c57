import { NativeConnection, Runtime, Worker, type WorkerOptions, type WorkerTuner } from '@temporalio/worker';
import { parseDuration } from './rules/durations.ts';
import { turnIntervalMs } from './rules/transfer-turn.ts';
import { createClaimActivities, createDownloadWorkflowActivities, createHostActivities, createMainQueueActivities } from './activities/index.ts';
import { loadSiteList } from './config/channels.ts';
import { containerName } from './config/container-name.ts';
import { loadSettings, type Settings } from './config/settings.ts';
import { claimRatePerSecond, DEFAULT_SITE, siteOfUrl, type SiteLimits } from './config/sites.ts';
import type { Db } from './db/connect.ts';
import { createHttpDownloader } from './downloaders/http.ts';
import { AddressPolicy } from './http/address-policy.ts';
import { createHttpClient } from './http/client.ts';
import { startForwardProxy } from './http/forward-proxy.ts';
import { createYtDlpDownloader } from './downloaders/ytdlp.ts';
import { prebuiltWorkflowBundle } from './bundle-workflows.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { createLogger, type Logger } from './log.ts';
import { isCompiled, siblingModulePath } from './module-path.ts';
import {
  downloadTaskQueueFor,
  downloadWorkflowTaskQueueFor,
  hostTaskQueueFor,
  siteDownloadTaskQueueFor,
  siteHostTaskQueueFor,
} from './shared/names.ts';
import { createFeedSource } from './sources/feed.ts';
import { createYoutubeSource } from './sources/youtube.ts';
import { createYtDlpSource } from './sources/ytdlp.ts';
import { tracingWorkerOptions, WORKFLOW_INTERCEPTOR_MODULES } from './telemetry/interceptors.ts';
import { activityMetrics } from './telemetry/metrics.ts';
import type { Tracing } from './telemetry/tracing.ts';
import { startServices } from './services.ts';
import { createHostCapacity, type HostCapacity } from './temporal/host-capacity.ts';
import { MEDIA_TRANSFER, ON_HOST } from './workflows/policies.ts';
import { setUpYtDlp } from './ytdlp/setup.ts';

// The composition root of the worker: settings → telemetry → yt-dlp check → database,
// sources, downloaders → activities → Temporal workers on one connection, by role
// (PARKER_WORKER_ROLES, default both):
//  - crawl: `<queue>` runs the crawls, backfills and maintenance and their activities;
//  - download: `<queue>-download-workflows` runs the download workflows and their
//    bookkeeping; `<queue>-downloads`, shared by all downloads workers, hands each
//    transfer to a host; `<queue>-host-<host id>`, this worker's own, runs the transfers
//    pinned to it and their renames, with PARKER_MAX_DOWNLOADS slots, so that number
//    bounds concurrent downloads, and a retried transfer finds its part file. Each site of
//    channels.yaml's `sites:` has the same pair, `…-downloads:<site>` (its rate, for all
//    workers) and `…-host-<host id>:<site>` (its concurrency, on this host).

/** Activity slots for the short activities (listing, database) of the workflow queues. */
const WORKFLOW_QUEUE_ACTIVITY_SLOTS = 20;

/** An answered claim holds its host's slot until its transfer would have been passed on anyway. */
const CLAIM_HOLD_MS = parseDuration(String(ON_HOST.scheduleToStartTimeout), 'ON_HOST.scheduleToStartTimeout');

/** Where one site's transfers are claimed, and this host's queue that runs them. */
interface DownloadLane {
  /** The site's key in channels.yaml (`default` for the hosts no site names). */
  site: string;
  claimQueue: string;
  hostQueue: string;
  limits: SiteLimits;
}

/** The claim worker's slots follow the host's free transfer slots; it runs no workflows. */
function claimTuner(capacity: HostCapacity): WorkerTuner {
  const unused = { type: 'fixed-size', numSlots: 1 } as const;
  return {
    activityTaskSlotSupplier: capacity.claimSlots,
    workflowTaskSlotSupplier: unused,
    localActivityTaskSlotSupplier: unused,
    nexusTaskSlotSupplier: unused,
  };
}

/**
 * Workflows kept in memory between their tasks. The SDK's default grows with the heap
 * limit (thousands); most of Parker's open workflows are downloads waiting on a transfer
 * for minutes, and one evicted is replayed from its ~26 events when its next task comes:
 * CPU for a cache miss, never a wrong result. 100 holds every workflow that is moving on a
 * worker with the default four transfers, at a bounded cost (BENCHMARKS.md, memory).
 */
const WORKFLOW_CACHE_SIZE = 100;
/**
 * Share of the crawl worker's workflow task polls on the non-sticky queue. A crawl is
 * mostly one workflow task, which always comes from there; at the SDK's 0.2 (2 of 10
 * polls) a burst of crawls waited for those two (BENCHMARKS.md, idle crawl: 1,031 → 1,094
 * channels a minute in the burst, 999 → 1,119 spread, with 0.5).
 */
const CRAWL_NON_STICKY_POLL_RATIO = 0.5;
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
  /** Where start-up findings go (yt-dlp's version and JS runtime); default: a logger at the settings' level. */
  log?: Logger;
}

/** Builds the workers of this process's roles; the Temporal runtime must be installed already (installRuntime). */
export async function createWorkers({ connection, settings, db, tracing, workflowBundle, log }: WorkerDeps): Promise<Worker[]> {
  const logger = log ?? createLogger(settings.logLevel);
  const addressPolicy = new AddressPolicy(settings.allowPrivate);
  // Refuse to start with a missing or vulnerable yt-dlp rather than fail every download
  // later; log what it can do for YouTube (its JS runtime, yt-dlp-ejs), warn when degraded.
  const invocation = await setUpYtDlp(settings.ytdlp, logger, addressPolicy);
  const taskQueue = settings.temporal.taskQueue;
  // One client for every feed, page and media request, with the worker's address policy.
  const http = createHttpClient({ addressPolicy });
  // yt-dlp fetches on its own: it goes through a proxy of the worker's that applies the
  // same policy to each connection. It serves for the life of the process.
  const proxy = await startForwardProxy({
    policy: addressPolicy,
    onRefused: (target, reason) => logger.warn({ target, reason }, `refused yt-dlp a connection to ${target}: ${reason}`),
  });
  const ytdlp = { ...invocation, proxy: proxy.url };
  // Over OTLP, through the NodeSDK's metric reader; else through the Temporal runtime (tracing.ts).
  const metrics = activityMetrics(tracing.metricMeter ?? Runtime.instance().metricMeter);
  const sites = await loadSiteList(settings.configPath);
  const bookkeeping = {
    db,
    siteCooldownMs: settings.siteCooldownMs,
    // Read by a media-refresh batch and by resolve (does the channel notify?).
    configPath: settings.configPath,
    diskFullPauseMs: settings.diskFullPauseMs,
    retryDelaysMs: settings.retryDelaysMs,
    apprisePath: settings.apprisePath,
    metrics,
    claimTaskQueueFor(mediaUrl: string) {
      const site = siteOfUrl(sites, mediaUrl);
      return site ? siteDownloadTaskQueueFor(taskQueue, site.name) : downloadTaskQueueFor(taskQueue);
    },
  };
  const traced = tracingWorkerOptions(tracing);
  const common = { connection, namespace: settings.temporal.namespace, ...traced };
  // Compiled (npm run build): the bundle made once at build time; from the sources: bundled here.
  const bundle = workflowBundle ?? (isCompiled(import.meta.url) ? await prebuiltWorkflowBundle() : undefined);
  const workflows = {
    ...(bundle
      ? { workflowBundle: bundle }
      : {
          workflowsPath: siblingModulePath('./workflows/index.ts', import.meta.url),
          interceptors: { ...traced.interceptors, workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
        }),
    maxCachedWorkflows: WORKFLOW_CACHE_SIZE,
    maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
  };
  const workers: Worker[] = [];
  if (settings.roles.crawl) {
    const mainQueueActivities = createMainQueueActivities({
      ...bookkeeping,
      // In order: YouTube's own addresses, then feeds; a URL that answers with a web page
      // instead of a feed goes on to yt-dlp.
      sources: [
        createYoutubeSource({ http, baseUrl: settings.youtubeBaseUrl, ytdlp }),
        createFeedSource({ http }),
        createYtDlpSource(ytdlp),
      ],
      downloadDir: settings.downloadDir,
      verifyBytesPerSecond: settings.verifyBytesPerSecond,
      // The upgrade checks ask yt-dlp which format a download would get now.
      ytdlp,
      metrics,
    });
    workers.push(
      await Worker.create({
        ...common,
        ...workflows,
        taskQueue,
        activities: mainQueueActivities,
        maxConcurrentActivityTaskExecutions: WORKFLOW_QUEUE_ACTIVITY_SLOTS,
        nonStickyToStickyPollRatio: CRAWL_NON_STICKY_POLL_RATIO,
      }),
    );
  }
  if (settings.roles.download) {
    const downloaders = [
      createHttpDownloader({ http }),
      // A silent yt-dlp is killed when Temporal would give up on its heartbeats anyway.
      createYtDlpDownloader({ ...ytdlp, stallTimeoutMs: parseDuration(String(MEDIA_TRANSFER.heartbeatTimeout), 'MEDIA_TRANSFER.heartbeatTimeout') }),
    ];
    workers.push(
      await Worker.create({
        ...common,
        ...workflows,
        taskQueue: downloadWorkflowTaskQueueFor(taskQueue),
        activities: createDownloadWorkflowActivities(bookkeeping),
        maxConcurrentActivityTaskExecutions: WORKFLOW_QUEUE_ACTIVITY_SLOTS,
      }),
    );
    // One lane for the hosts no site names, and one per site of channels.yaml.
    const lanes: DownloadLane[] = [
      { site: DEFAULT_SITE, claimQueue: downloadTaskQueueFor(taskQueue), hostQueue: hostTaskQueueFor(taskQueue, settings.hostId), limits: sites.fallback },
      ...sites.sites.map((site) => ({
        site: site.name,
        claimQueue: siteDownloadTaskQueueFor(taskQueue, site.name),
        hostQueue: siteHostTaskQueueFor(taskQueue, settings.hostId, site.name),
        limits: site,
      })),
    ];
    for (const lane of lanes) {
      const slots = lane.limits.concurrency ?? settings.maxDownloads;
      const capacity = createHostCapacity(slots, CLAIM_HOLD_MS);
      workers.push(
        await Worker.create({
          ...common,
          taskQueue: lane.claimQueue,
          activities: createClaimActivities({
            host: { hostId: settings.hostId, taskQueue: lane.hostQueue },
            ...(lane.limits.perMinute === undefined ? {} : { turns: { db, site: lane.site, intervalMs: turnIntervalMs(lane.limits.perMinute) } }),
          }),
          tuner: claimTuner(capacity),
          // Enforced by the server for the whole queue, however many workers poll it.
          ...(lane.limits.perMinute === undefined ? {} : { maxTaskQueueActivitiesPerSecond: claimRatePerSecond(lane.limits.perMinute) }),
        }),
        await Worker.create({
          ...common,
          taskQueue: lane.hostQueue,
          activities: createHostActivities({ db, downloaders, downloadDir: settings.downloadDir, metrics, capacity }),
          maxConcurrentActivityTaskExecutions: slots,
          // Send a transfer's progress every few seconds, not every 0.8 x heartbeat timeout,
          // so the Web UI's pending activity shows it moving.
          maxHeartbeatThrottleInterval: '3s',
        }),
      );
    }
  }
  return workers;
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
  const loaded = loadSettings();
  const settings = loaded.hostIdFromContainerName ? { ...loaded, hostId: await containerName() } : loaded;
  const log = createLogger(settings.logLevel, { format: settings.logFormat });
  const { tracing, endpoint, db, close } = await startServices(settings, log);
  try {
    const connection = await NativeConnection.connect(endpoint.connection);
    const workers = await createWorkers({ connection, settings, db, tracing, log });
    const roles = Object.entries(settings.roles).filter(([, on]) => on).map(([role]) => role);
    log.info({ taskQueue: settings.temporal.taskQueue, roles, hostId: settings.hostId, maxDownloads: settings.maxDownloads }, 'worker running');
    await runWorkers(workers);
    await connection.close();
  } finally {
    await close();
  }
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker worker', main);
