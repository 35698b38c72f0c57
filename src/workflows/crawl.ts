import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  isCancellation,
  metricMeter,
  ParentClosePolicy,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { backfillWorkflowIdFor } from '../shared/names.ts';
import { PARKER_CHANNEL } from '../shared/search-attributes.ts';
import type { BackfillPlan } from '../shared/backfill.ts';
import type { CrawlInput, CrawlNext, CrawlSummary, FetchedListing, FetchListingInput, PendingVideo } from '../shared/crawl.ts';
import { FailureType } from '../shared/failure-types.ts';
import { rateLimitRetryDelayMs } from '../shared/retry-delays.ts';
import { workflowMetrics } from '../telemetry/metrics.ts';
import { backfillChannel } from './backfill.ts';
import { DATABASE, LISTING, LISTING_FIRST_TRY } from './policies.ts';
import { startDownload } from './start-download.ts';
import { mainQueue, mainQueueLocal } from './task-queues.ts';

const { fetchListing } = mainQueue(LISTING);
const { fetchListing: fetchListingHere } = mainQueueLocal(LISTING_FIRST_TRY);
const { recordListing, listUnfinishedVideos } = mainQueue(DATABASE);

/** Download workflows started per page of unfinished videos. */
export const PAGE_SIZE = 100;
/** Pages per run before the crawl continues as new, keeping its history small. */
export const PAGES_PER_RUN = 10;

/** Set by the server on workflows a schedule starts: the time the schedule meant. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** Where a crawl that continued as new picks up. */
export interface CrawlCursor {
  summary: CrawlSummary;
  /** Row id of the last video this crawl has handled. */
  afterId: number;
}

/**
 * Crawls one channel: lists it, records the entries, then starts a download workflow
 * for every recorded video that has no end yet — not only the new ones. That is what
 * keeps the promise that a recorded video is never lost: if this crawl dies after
 * recording and before starting a download, the next crawl starts it.
 *
 * The activity that lists (or records) hands back the backfill plan and the first page
 * of unfinished videos with its answer: a crawl of an unchanged feed is one activity.
 */
export async function crawlChannel(input: CrawlInput, cursor?: CrawlCursor): Promise<CrawlSummary> {
  let summary: CrawlSummary;
  let afterId = 0;
  let pending: PendingVideo[];
  // The workflow metric meter records nothing during replay, and every time here is the
  // workflow's own deterministic clock.
  const metrics = workflowMetrics(metricMeter);
  // The schedule labels its crawls; one started by hand is labelled here.
  if (workflowInfo().typedSearchAttributes.get(PARKER_CHANNEL) === undefined) {
    upsertSearchAttributes([{ key: PARKER_CHANNEL, value: input.channel }]);
  }
  if (cursor) {
    ({ summary, afterId } = cursor);
    pending = await listUnfinishedVideos({ channel: input.channel, afterId, limit: PAGE_SIZE });
  } else {
    const scheduledAt = workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME);
    if (scheduledAt) {
      metrics.scheduleLag.record(Math.max(0, Date.now() - scheduledAt.getTime()) / 1000, { channel: input.channel });
    }
    let next: CrawlNext;
    const result = await listChannel({ crawl: input, pageSize: PAGE_SIZE });
    if (result.status === 'notModified') {
      // 304: nothing new to record. Unfinished videos still get their downloads below.
      summary = { entries: 0, new: 0, started: 0, alreadyRunning: 0, notModified: true };
      next = result;
    } else if (result.status === 'recorded') {
      summary = { ...result.outcome, started: 0, alreadyRunning: 0 };
      next = result;
    } else {
      const recorded = await recordListing({ crawl: input, listing: result.listing, state: result.state, pageSize: PAGE_SIZE });
      summary = { entries: recorded.entries, new: recorded.new, started: 0, alreadyRunning: 0 };
      next = recorded;
    }
    const backfill = await startBackfill(input, next.backfill);
    if (backfill) summary.backfill = backfill;
    pending = next.unfinished;
  }

  for (let page = 1; ; page++) {
    await Promise.all(pending.map((video) => startDownload(input, video, summary)));
    if (pending.length < PAGE_SIZE) {
      metrics.crawlDuration.record((Date.now() - workflowInfo().startTime.getTime()) / 1000, { channel: input.channel });
      return summary;
    }
    afterId = pending[pending.length - 1]!.id;
    if (page >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof crawlChannel>(input, { summary, afterId });
    }
    pending = await listUnfinishedVideos({ channel: input.channel, afterId, limit: PAGE_SIZE });
  }
}

/**
 * Lists the channel: first on this worker, as a local activity, so that an unchanged feed
 * costs one marker in the history (BENCHMARKS.md, idle crawl). A first try that fails and
 * may be retried goes on as an ordinary activity with LISTING's retries, where the Web UI
 * shows it pending with its last error, and where a throttled site's long waits are the
 * server's timers. Before it, the pause its next attempt would have had: 15 minutes after
 * a 429 or a bot check, else the policy's first interval.
 */
async function listChannel(input: FetchListingInput): Promise<FetchedListing> {
  try {
    return await fetchListingHere(input);
  } catch (error) {
    // A local activity's failure comes as its ApplicationFailure itself, not wrapped in an ActivityFailure.
    const cause = error instanceof ActivityFailure ? error.cause : error;
    if (isCancellation(error) || (cause instanceof ApplicationFailure && cause.nonRetryable)) throw error;
    const throttled = cause instanceof ApplicationFailure && cause.type === FailureType.RateLimited;
    await sleep(throttled ? rateLimitRetryDelayMs(1) : LISTING.retry!.initialInterval!);
    return fetchListing(input);
  }
}

/**
 * Starts the channel's backfill when its listing does not reach as far back as
 * `backfill` asks (src/workflows/backfill.ts), or finds it running. It runs on its own,
 * under a fixed id, so the crawls go on while it works through thousands of entries.
 */
async function startBackfill(input: CrawlInput, plan: BackfillPlan): Promise<CrawlSummary['backfill']> {
  if (plan.status === 'none') return undefined;
  try {
    await startChild(backfillChannel, {
      workflowId: backfillWorkflowIdFor(input.channel),
      args: [{ crawl: input, from: plan.from }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // One that ended may run again: the database says where to go on from.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: PARKER_CHANNEL, value: input.channel }],
      staticSummary: `Backfill of ${input.channel}`,
    });
    return { status: 'started', from: plan.from };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { status: 'running', from: plan.from };
    throw error;
  }
}
