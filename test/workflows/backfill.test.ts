import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backfillWorkflowIdFor } from '../../src/shared/names.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import type { BackfillInput } from '../../src/shared/backfill.ts';
import type { CrawlInput } from '../../src/shared/crawl.ts';
import { BACKFILL_PAGE_SIZE, BACKFILL_PAGES_PER_RUN, type backfillChannel } from '../../src/workflows/backfill.ts';
import {
  callingWorkflow,
  childWorkflowIds,
  downloadsDoneAlready,
  runHistories,
  timeSkippingEnvironment,
  uniqueTaskQueue,
} from '../helpers/time-skipping.ts';

// The backfill's pages: a channel whose full listing takes more pages than one run may
// list goes on in a new run every BACKFILL_PAGES_PER_RUN pages, from the position it
// reached, and ends when the listing does.

const { client, withWorkers } = await timeSkippingEnvironment();

/** Pages the channel's full listing has: more than two runs' worth. */
const PAGES = 2 * BACKFILL_PAGES_PER_RUN + 2;
/** New videos on each page (the rest were recorded already). */
const NEW_PER_PAGE = 2;

describe('backfill workflow', () => {
  test(`a listing of ${PAGES} pages: a new run every BACKFILL_PAGES_PER_RUN (${BACKFILL_PAGES_PER_RUN}) pages, then it ends`, { timeout: 120_000 }, async () => {
    const taskQueue = uniqueTaskQueue('backfill');
    const crawl: CrawlInput = { channel: taskQueue, url: 'https://www.youtube.com/@backfill', backfill: 'all' };
    /** The position each page was listed from, by run id. */
    const pagesByRun = new Map<string, number[]>();
    const videosOnPage = (page: number) =>
      Array.from({ length: NEW_PER_PAGE }, (_, index) => {
        const externalId = `page${page}-video${index + 1}`;
        return { id: page * 1000 + index, externalId, workflowId: videoWorkflowId(crawl.channel, externalId) };
      });

    const { summary, runs } = await withWorkers(
      {
        taskQueue,
        main: {
          async listBackfillPage({ from, pageSize }) {
            const { runId } = callingWorkflow();
            pagesByRun.set(runId, [...(pagesByRun.get(runId) ?? []), from]);
            const page = (from - 1) / pageSize + 1;
            const pending = videosOnPage(page);
            return { listed: pageSize, new: pending.length, pending, next: from + pageSize, done: page === PAGES };
          },
          ...downloadsDoneAlready,
        },
      },
      async () => {
        const handle = await client.workflow.start<typeof backfillChannel>('backfillChannel', {
          taskQueue,
          workflowId: backfillWorkflowIdFor(crawl.channel),
          args: [{ crawl, from: 1 } satisfies BackfillInput],
          workflowExecutionTimeout: '1h',
        });
        const summary = await handle.result();
        return { summary, runs: await runHistories(client, handle.workflowId, handle.firstExecutionRunId) };
      },
    );

    const expectedRuns = Array.from({ length: Math.ceil(PAGES / BACKFILL_PAGES_PER_RUN) }, (_, run) =>
      Math.min(BACKFILL_PAGES_PER_RUN, PAGES - run * BACKFILL_PAGES_PER_RUN),
    );
    assert.equal(runs.length, expectedRuns.length, 'runs of the backfill');
    assert.deepEqual([...pagesByRun.values()].map((froms) => froms.length), expectedRuns);
    // Each run goes on from the position the one before reached.
    assert.deepEqual([...pagesByRun.values()].flat(), Array.from({ length: PAGES }, (_, page) => 1 + page * BACKFILL_PAGE_SIZE));

    const expected = Array.from({ length: PAGES }, (_, page) => videosOnPage(page + 1)).flat();
    const started = runs.flatMap(childWorkflowIds);
    assert.equal(started.length, expected.length, 'each new video started once');
    assert.deepEqual(new Set(started), new Set(expected.map((video) => video.workflowId)));
    // The summary adds up the runs.
    assert.deepEqual(summary, {
      listed: PAGES * BACKFILL_PAGE_SIZE,
      new: expected.length,
      started: expected.length,
      alreadyRunning: 0,
      pages: PAGES,
    });
  });
});
