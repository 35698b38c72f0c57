import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import proto from '@temporalio/proto'; // CommonJS: its namespace comes as the default export
import type { ClaimActivities, HostActivities, MainQueueActivities } from '../../src/activities/index.ts';
import { downloadTaskQueueFor, hostTaskQueueFor } from '../../src/shared/names.ts';
import { tracingWorkerOptions, WORKFLOW_INTERCEPTOR_MODULES } from '../../src/telemetry/interceptors.ts';
import { startTracing } from '../../src/telemetry/tracing.ts';
import type { DownloadHost } from '../../src/shared/download.ts';
import { PARKER_SEARCH_ATTRIBUTES, PARKER_STATUS } from '../../src/shared/search-attributes.ts';
import { services } from './services.ts';

// Workflow tests with time under control: the Java time-skipping test server (one per
// test file, started by the SDK from scripts/ensure-test-server.sh's launcher), and
// Parker's workflows, from the bundle test/run.ts built, on workers whose activities are
// fakes typed as the real ones. A timer of a day fires as soon as nothing else is left to
// run. The tests of one file share the server's clock, so they run one after another
// (node:test's default within a file).


/**
 * The fakes of one test, by task queue. Only what the workflow under test calls need be
 * there: an activity missing from its queue fails as not registered and is retried like
 * the real one would be.
 */
export interface FakeWorkers {
  /** The main queue: the workflows run on it, with these activities. */
  taskQueue: string;
  main: Partial<MainQueueActivities>;
  /** `<queue>-downloads`; absent: no worker there. */
  claims?: ClaimActivities;
  /** `<queue>-host-<id>` for each id; a host that is not here has no worker: it is gone. */
  hosts?: Record<string, Partial<HostActivities>>;
  /** The workflows to run; default the bundle test/run.ts built, as the worker bundles them. */
  workflowBundle?: WorkflowBundleOption;
}

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  client: Client;
  /** Runs `body` while workers with these fakes poll their queues, then shuts them down. */
  withWorkers<T>(fakes: FakeWorkers, body: () => Promise<T>): Promise<T>;
}

let runtimeInstalled = false;

/**
 * Makes the SDK's runtime of this process quiet: failing activities are what most
 * workflow tests are about, and the SDK would log each one as a warning (and its core
 * warns that the test server is not a full Temporal server, once per worker).
 */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  runtimeInstalled = true;
}

/**
 * The worker's own workflow interceptors and span sink (the bundle's workflows hand spans
 * to it); without an endpoint the spans are dropped.
 */
export function workerTracingOptions() {
  return tracingWorkerOptions(startTracing({ serviceName: 'parker-workflow-test' }));
}

/**
 * Starts the file's time-skipping environment (top-level await) and stops it after the
 * file's tests, on a quiet runtime.
 */
export async function timeSkippingEnvironment(): Promise<TimeSkipping> {
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: services.timeSkippingServer } },
  });
  after(() => env.teardown());
  // The workflows set Parker's search attributes; the test server refuses unknown ones
  // (and cannot list what it has, so they are added without asking).
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      PARKER_SEARCH_ATTRIBUTES.map((key) => [key.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  const traced = workerTracingOptions();

  async function withWorkers<T>(fakes: FakeWorkers, body: () => Promise<T>): Promise<T> {
    const common = { connection: env.nativeConnection, ...traced };
    const workers = [
      await Worker.create({
        ...common,
        taskQueue: fakes.taskQueue,
        workflowBundle: fakes.workflowBundle ?? { codePath: services.workflowBundlePath },
        activities: fakes.main,
      }),
    ];
    if (fakes.claims) {
      workers.push(await Worker.create({ ...common, taskQueue: downloadTaskQueueFor(fakes.taskQueue), activities: fakes.claims }));
    }
    for (const [hostId, activities] of Object.entries(fakes.hosts ?? {})) {
      workers.push(await Worker.create({ ...common, taskQueue: hostTaskQueueFor(fakes.taskQueue, hostId), activities }));
    }
    const running = Promise.all(workers.map((worker) => worker.run()));
    try {
      return await body();
    } finally {
      for (const worker of workers) worker.shutdown();
      await running;
    }
  }

  return { env, client: env.client, withWorkers };
}

/**
 * The workflows bundled with the worker's interceptors and one more that shortens ON_HOST's
 * schedule-to-start timeout (test/helpers/workflow-interceptors/quick-host-timeout.ts), for
 * tests whose hosts go away.
 */
export async function quickHostTimeoutBundle(): Promise<WorkflowBundleOption> {
  return bundleWithTestInterceptor('quick-host-timeout.ts');
}

/**
 * The workflows bundled with the worker's interceptors and one that cuts the transfer's
 * retry policy to a few quick attempts (test/helpers/workflow-interceptors/quick-transfer-retries.ts),
 * for tests whose transfers must run out of retries.
 */
export async function quickTransferRetriesBundle(): Promise<WorkflowBundleOption> {
  return bundleWithTestInterceptor('quick-transfer-retries.ts');
}

async function bundleWithTestInterceptor(file: string): Promise<WorkflowBundleOption> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url)),
    workflowInterceptorModules: [
      ...WORKFLOW_INTERCEPTOR_MODULES,
      fileURLToPath(new URL(`./workflow-interceptors/${file}`, import.meta.url)),
    ],
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  return { code };
}

/** A task queue of the test's own: workflows left over from another test never reach its fakes. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The host `hostId` as the claim activity hands it out for the main queue `taskQueue`. */
export function hostOn(taskQueue: string, hostId: string): DownloadHost {
  return { hostId, taskQueue: hostTaskQueueFor(taskQueue, hostId) };
}

const EventType = proto.temporal.api.enums.v1.EventType;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

function millisOf(duration: proto.google.protobuf.IDuration | null | undefined): number {
  return Number(duration?.seconds ?? 0) * 1000 + Math.round((duration?.nanos ?? 0) / 1e6);
}

/** The durations of the durable timers a workflow run started, in ms, in order. */
export function timerDurations(events: HistoryEvent[]): number[] {
  return events
    .filter((event) => event.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
    .map((event) => millisOf(event.timerStartedEventAttributes?.startToFireTimeout));
}

/** The ParkerStatus values a workflow run upserted, in order. */
export function upsertedStatuses(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => {
    if (event.eventType !== EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) return [];
    const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[PARKER_STATUS.name];
    return payload?.data ? [JSON.parse(Buffer.from(payload.data).toString('utf8')) as string] : [];
  });
}

/** The workflow ids of the children a workflow run started, in order. */
export function childWorkflowIds(events: HistoryEvent[]): string[] {
  return events
    .filter((event) => event.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
    .map((event) => event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? '?');
}

/** The marker under which the SDK's core records a local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** The activity types a workflow run ran as local activities (their markers), in order. */
export function localActivities(events: HistoryEvent[]): string[] {
  return events
    .filter(
      (event) =>
        event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
        event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER,
    )
    .map((event) => {
      const payload = event.markerRecordedEventAttributes?.details?.data?.payloads?.[0];
      const data = payload?.data ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as { activity_type?: string }) : {};
      return data.activity_type ?? '?';
    });
}

/** The activity types a workflow run scheduled, in order. */
export function scheduledActivities(events: HistoryEvent[]): string[] {
  return events
    .filter((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
}

/** The run that this one continued as new into, if it did. */
export function continuedAsNewTo(events: HistoryEvent[]): string | undefined {
  const last = events[events.length - 1];
  if (last?.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) return undefined;
  return last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
}

/**
 * The histories of a workflow's runs, first to last, following its continue-as-new chain
 * from the first run.
 */
export async function runHistories(client: Client, workflowId: string, firstRunId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const events: HistoryEvent[] = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    runs.push(events);
    runId = continuedAsNewTo(events);
  }
  return runs;
}

/**
 * resolveDownload for the download workflows a crawl or backfill starts, when the test is
 * about the starting: each video is downloaded already, so each download ends at once.
 */
export const downloadsDoneAlready: Pick<MainQueueActivities, 'resolveDownload'> = {
  async resolveDownload(video) {
    return {
      alreadyDownloaded: { status: 'downloaded', filePath: `/downloads/${video.channel}/${video.externalId}.mp4`, bytes: 1, sha256: '00' },
    };
  },
};

/** The workflow run an activity runs for (a run ends where it continues as new). */
export function callingWorkflow(): { workflowId: string; runId: string } {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('this fake runs only for workflows');
  return execution;
}
