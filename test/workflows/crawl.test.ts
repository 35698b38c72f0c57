import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { backfillWorkflowIdFor, CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import type { CrawlInput, PendingVideo } from '../../src/shared/crawl.ts';
import { PAGE_SIZE, PAGES_PER_RUN, type crawlChannel } from '../../src/workflows/crawl.ts';
import { Context } from '@temporalio/activity';
import { toFailure } from '../../src/activities/failures.ts';
import { InvalidFeedError, NetworkError, RateLimitedError } from '../../src/errors.ts';
import type { WorkflowHandle } from '@temporalio/client';
import { rateLimitRetryDelayMs } from '../../src/shared/retry-delays.ts';
import {
  callingWorkflow,
  childWorkflowIds,
  downloadsDoneAlready,
  localActivities,
  runHistories,
  scheduledActivities,
  timerDurations,
  timeSkippingEnvironment,
  uniqueTaskQueue,
} from '../helpers/time-skipping.ts';

// A crawl of an unchanged feed is one (local) activity, which still starts the downloads of the
// videos without an end and the backfill. The crawl's pages: a channel with more
// unfinished videos than one run may start goes on in a new run (continue-as-new) every
// PAGES_PER_RUN pages, from the row it reached, and starts a download for each video
// exactly once.

const { client, withWorkers } = await timeSkippingEnvironment();

const UNFINISHED = 2_500;

/** Starts a crawl of `input` on the fake workers of `taskQueue`. */
function startCrawl(taskQueue: string, input: CrawlInput) {
  return client.workflow.start<typeof crawlChannel>(CRAWL_WORKFLOW, {
    taskQueue,
    workflowId: `${taskQueue}-crawl`,
    args: [input],
    workflowExecutionTimeout: '1h',
  });
}

describe('crawl workflow', () => {
  test('an unchanged feed (304) is one local activity, which still starts the unfinished downloads and the backfill', { timeout: 120_000 }, async () => {
    const taskQueue = uniqueTaskQueue('crawl-304');
    const input: CrawlInput = { channel: taskQueue, url: 'https://www.youtube.com/@unchanged', backfill: 'all' };
    const unfinished: PendingVideo[] = ['a', 'b'].map((externalId, index) => ({
      id: index + 1,
      externalId,
      workflowId: videoWorkflowId(input.channel, externalId),
    }));
    const { summary, crawled } = await withWorkers(
      {
        taskQueue,
        main: {
          async fetchListing() {
            return { status: 'notModified', backfill: { status: 'due', from: 16 }, unfinished };
          },
          async listBackfillPage({ from }) {
            return { listed: 0, new: 0, pending: [], next: from, done: true };
          },
          ...downloadsDoneAlready,
        },
      },
      async () => {
        const handle = await startCrawl(taskQueue, input);
        const summary = await handle.result();
        await client.workflow.getHandle(backfillWorkflowIdFor(input.channel)).result();
        const [crawled] = await runHistories(client, handle.workflowId, handle.firstExecutionRunId);
        return { summary, crawled: crawled! };
      },
    );
    assert.deepEqual(localActivities(crawled), ['fetchListing']);
    assert.deepEqual(scheduledActivities(crawled), [], 'the listing runs as a local activity, nothing is scheduled');
    assert.deepEqual(childWorkflowIds(crawled).sort(), [backfillWorkflowIdFor(input.channel), ...unfinished.map((video) => video.workflowId)].sort());
    assert.deepEqual(summary, { entries: 0, new: 0, started: 2, alreadyRunning: 0, notModified: true, backfill: { status: 'started', from: 16 } });
  });

  /** A crawl whose listing's first try (local) fails with `failure`, and whose later tries list an unchanged feed. */
  async function crawlFailingFirst(prefix: string, failure: Error, watch: (handle: WorkflowHandle) => Promise<void>) {
    const taskQueue = uniqueTaskQueue(prefix);
    const input: CrawlInput = { channel: taskQueue, url: `https://feeds.example/${prefix}.xml`, backfill: 'all' };
    const tries: { local: boolean; attempt: number }[] = [];
    const crawled = await withWorkers(
      {
        taskQueue,
        main: {
          async fetchListing() {
            const { attempt, isLocal } = Context.current().info;
            tries.push({ local: isLocal, attempt });
            if (isLocal) throw toFailure(failure, attempt);
            return { status: 'notModified', backfill: { status: 'none', reason: 'a feed lists the whole channel' }, unfinished: [] };
          },
          ...downloadsDoneAlready,
        },
      },
      async () => {
        const handle = await startCrawl(taskQueue, input);
        await watch(handle);
        const [crawled] = await runHistories(client, handle.workflowId, handle.firstExecutionRunId);
        return crawled!;
      },
    );
    return { tries, crawled };
  }

  test('a first try that fails (a network error) lists again as an ordinary activity, after the policy\'s first interval', { timeout: 120_000 }, async () => {
    const { tries, crawled } = await crawlFailingFirst('crawl-reset', new NetworkError('https://feeds.example/crawl-reset.xml', { cause: new Error('connection reset') }), async (handle) => {
      assert.equal((await handle.result()).notModified, true);
    });
    assert.deepEqual(tries, [
      { local: true, attempt: 1 },
      { local: false, attempt: 1 },
    ]);
    assert.deepEqual(localActivities(crawled), ['fetchListing']);
    assert.deepEqual(scheduledActivities(crawled), ['fetchListing'], 'the retry is an activity the Web UI shows pending');
    assert.deepEqual(timerDurations(crawled), [5_000]);
  });

  test('a throttled first try (429) waits 15 minutes on a timer before the site is asked again', { timeout: 120_000 }, async () => {
    const { tries, crawled } = await crawlFailingFirst('crawl-429', new RateLimitedError('https://feeds.example/crawl-429.xml', 'HTTP 429'), async (handle) => {
      // The test server does not skip this timer (it stays locked after the local
      // activity's failure), so the crawl is watched up to the timer, then ended.
      const deadline = Date.now() + 30_000;
      while (timerDurations((await handle.fetchHistory()).events ?? []).length === 0) {
        assert.ok(Date.now() < deadline, 'no timer was started after the throttled first try');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await handle.terminate('the test saw the timer');
    });
    assert.deepEqual(tries, [{ local: true, attempt: 1 }]);
    assert.deepEqual(scheduledActivities(crawled), [], 'nothing asks the site again before the timer');
    assert.deepEqual(timerDurations(crawled), [rateLimitRetryDelayMs(1)]);
  });

  test('a feed that does not parse fails the crawl at its first try, without a retry', { timeout: 120_000 }, async () => {
    const taskQueue = uniqueTaskQueue('crawl-broken');
    const input: CrawlInput = { channel: taskQueue, url: 'https://feeds.example/broken.xml', backfill: 'all' };
    let tries = 0;
    const failed = await withWorkers(
      {
        taskQueue,
        main: {
          async fetchListing() {
            tries++;
            throw toFailure(new InvalidFeedError(input.url, 'not XML'));
          },
          ...downloadsDoneAlready,
        },
      },
      async () => {
        const handle = await startCrawl(taskQueue, input);
        return handle.result().then(
          () => assert.fail('the crawl of a broken feed succeeded'),
          (error: unknown) => error,
        );
      },
    );
    assert.equal(tries, 1);
    assert.match(String(((failed as Error).cause as Error | undefined)?.cause), /not XML/);
  });

  test(`${UNFINISHED} unfinished videos: a new run every PAGES_PER_RUN (${PAGES_PER_RUN}) pages, each video started once`, { timeout: 300_000 }, async () => {
    const taskQueue = uniqueTaskQueue('crawl');
    const input: CrawlInput = { channel: taskQueue, url: 'https://feeds.example/crawl.xml', backfill: 'all' };
    // Row ids with gaps, as a real table has them once videos finished.
    const videos: PendingVideo[] = Array.from({ length: UNFINISHED }, (_, index) => {
      const externalId = `video${index + 1}`;
      return { id: 3 * (index + 1), externalId, workflowId: videoWorkflowId(input.channel, externalId) };
    });
    /** The pages each run listed: the row id it listed after, by run id. */
    const pagesByRun = new Map<string, number[]>();
    const listPage = (afterId: number, limit: number) => {
      const { runId } = callingWorkflow();
      pagesByRun.set(runId, [...(pagesByRun.get(runId) ?? []), afterId]);
      return videos.filter((video) => video.id > afterId).slice(0, limit);
    };
    /** The activities each run called, by run id: the first page comes with the 304. */
    const activitiesByRun = new Map<string, string[]>();
    const called = (name: string) => {
      const { runId } = callingWorkflow();
      activitiesByRun.set(runId, [...(activitiesByRun.get(runId) ?? []), name]);
    };

    const summary = await withWorkers(
      {
        taskQueue,
        main: {
          async fetchListing({ pageSize }) {
            called('fetchListing');
            return { status: 'notModified', backfill: { status: 'none', reason: 'a feed lists the whole channel' }, unfinished: listPage(0, pageSize) };
          },
          async listUnfinishedVideos({ afterId, limit }) {
            called('listUnfinishedVideos');
            return listPage(afterId, limit);
          },
          ...downloadsDoneAlready,
        },
      },
      async () => {
        const handle = await startCrawl(taskQueue, input);
        const summary = await handle.result();
        const runs = await runHistories(client, handle.workflowId, handle.firstExecutionRunId);

        // Every run but the last stopped after exactly PAGES_PER_RUN pages.
        const pages = Math.floor(UNFINISHED / PAGE_SIZE) + 1; // the last one comes back short (here: empty)
        const expectedRuns = Array.from({ length: Math.ceil(pages / PAGES_PER_RUN) }, (_, run) =>
          Math.min(PAGES_PER_RUN, pages - run * PAGES_PER_RUN),
        );
        assert.equal(runs.length, expectedRuns.length, 'runs of the crawl');
        assert.deepEqual([...pagesByRun.values()].map((afterIds) => afterIds.length), expectedRuns);
        // The first run's first page came with the listing's answer; every later page, and
        // each later run's first, is a page of its own.
        assert.deepEqual(
          [...activitiesByRun.values()],
          expectedRuns.map((pagesOfRun, run) => [run === 0 ? 'fetchListing' : 'listUnfinishedVideos', ...Array(pagesOfRun - 1).fill('listUnfinishedVideos')]),
        );
        // Each page starts after the last row of the one before, across runs too.
        const afterIds = [...pagesByRun.values()].flat();
        assert.deepEqual(afterIds, [0, ...Array.from({ length: pages - 1 }, (_, page) => videos[(page + 1) * PAGE_SIZE - 1]!.id)]);

        // Each video's download started once, by exactly one run.
        const started = runs.flatMap(childWorkflowIds);
        assert.equal(started.length, UNFINISHED);
        assert.deepEqual(new Set(started), new Set(videos.map((video) => video.workflowId)));
        return summary;
      },
    );
    assert.equal(summary.started, UNFINISHED);
    assert.equal(summary.alreadyRunning, 0);
    assert.equal(summary.notModified, true);
  });
});
