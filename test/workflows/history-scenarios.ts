import assert from 'node:assert/strict';
import { HttpStatusError, VideoUpcomingError } from '../../src/errors.ts';
import { backfillWorkflowIdFor, CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import type { CrawlInput, PendingVideo } from '../../src/shared/crawl.ts';
import type { crawlChannel } from '../../src/workflows/crawl.ts';
import { downloadRunner, MEDIA, SUMMARY, TARGET } from '../helpers/download-fakes.ts';
import { downloadsDoneAlready, uniqueTaskQueue, type TimeSkipping } from '../helpers/time-skipping.ts';

// The workflow runs whose histories are kept in test/fixtures/histories/ and replayed by
// test/workflows/replay.test.ts: each takes its workflow through the branches a running
// Parker has in flight at a deploy (timers, retries, children, a failure). They run on the
// time-skipping server with fakes of the activities; `npm run record-histories` runs them
// again and rewrites the files (test/workflows/record-histories.ts).

/** One run of a workflow: its history is fixture `<name>.json`. */
export interface RecordedRun {
  name: string;
  workflowId: string;
  runId: string;
}

export interface HistoryScenario {
  /** What the run goes through, for the test names. */
  description: string;
  /** Runs the workflow to its end; returns the runs to keep (a crawl starts a backfill, too). */
  run(timeSkipping: TimeSkipping): Promise<RecordedRun[]>;
}

export const HISTORY_SCENARIOS: HistoryScenario[] = [
  {
    description: 'a download that waits for a premiere, then for a throttling site, then finishes',
    async run(timeSkipping) {
      const { summary, timers, run } = await downloadRunner(timeSkipping)({
        transfer: async (attempt) => {
          if (attempt === 1) throw new VideoUpcomingError(TARGET.mediaUrl, 'Premieres in 2 hours', 2 * 3_600_000);
          if (attempt === 2) throw new HttpStatusError(TARGET.mediaUrl, 429);
          return MEDIA;
        },
      });
      assert.deepEqual(summary, SUMMARY);
      assert.equal(timers.length, 2, 'one wait for the premiere, one for the cooldown');
      return [{ name: 'download-waits-then-finishes', ...run }];
    },
  },
  {
    description: 'a download whose media is gone (HTTP 404): the row is marked failed, the part removed',
    async run(timeSkipping) {
      const { error, calls, run } = await downloadRunner(timeSkipping)({
        transfer: async () => {
          throw new HttpStatusError(TARGET.mediaUrl, 404);
        },
      });
      assert.ok(error, 'the download failed');
      assert.deepEqual(calls.discarded, ['a']);
      return [{ name: 'download-fails-404', ...run }];
    },
  },
  {
    description: 'a crawl that records a listing, starts its downloads (one already done) and a backfill',
    async run({ client, withWorkers }) {
      const taskQueue = uniqueTaskQueue('crawl');
      const crawl: CrawlInput = { channel: 'recorded', url: 'https://feeds.example/recorded.xml', backfill: 'all' };
      const pending: PendingVideo[] = ['ep1', 'ep2', 'ep3'].map((externalId, index) => ({
        id: index + 1,
        externalId,
        workflowId: `${taskQueue}-${videoWorkflowId(crawl.channel, externalId)}`,
      }));
      return withWorkers(
        {
          taskQueue,
          main: {
            async fetchListing() {
              const entries = pending.map(({ externalId }) => ({ externalId, title: `Episode ${externalId}`, mediaUrl: `https://media.example/${externalId}.mp3` }));
              return { status: 'listed', listing: { kind: 'rss', title: 'Recorded', entries }, state: { etag: '"v1"' } };
            },
            async recordListing({ listing, pageSize }) {
              const count = listing.entries.length;
              return { entries: count, new: count, backfill: { status: 'due', from: 4 }, unfinished: pending.slice(0, pageSize) };
            },
            async listBackfillPage({ from, pageSize }) {
              return { listed: 2, new: 0, pending: [], next: from + pageSize, done: true };
            },
            ...downloadsDoneAlready,
          },
        },
        async () => {
          // ep3 was downloaded by an earlier crawl: this one finds its workflow id taken.
          await client.workflow.execute('downloadVideo', { taskQueue, workflowId: pending[2]!.workflowId, args: [{ channel: crawl.channel, externalId: 'ep3' }] });
          const handle = await client.workflow.start<typeof crawlChannel>(CRAWL_WORKFLOW, {
            taskQueue,
            workflowId: `${taskQueue}-crawl`,
            args: [crawl],
            workflowExecutionTimeout: '1h',
          });
          const summary = await handle.result();
          assert.deepEqual(summary, { entries: 3, new: 3, started: 2, alreadyRunning: 1, backfill: { status: 'started', from: 4 } });
          const backfill = client.workflow.getHandle(backfillWorkflowIdFor(crawl.channel));
          await backfill.result();
          const { runId } = await backfill.describe();
          return [
            { name: 'crawl-starts-downloads-and-backfill', workflowId: handle.workflowId, runId: handle.firstExecutionRunId },
            { name: 'backfill-one-page', workflowId: backfill.workflowId, runId },
          ];
        },
      );
    },
  },
];
