import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { BackfillInput, BackfillSummary } from '../shared/backfill.ts';
import { BACKFILL_LISTING } from './policies.ts';
import { startDownload } from './start-download.ts';
import { mainQueue } from './task-queues.ts';

const { listBackfillPage } = mainQueue(BACKFILL_LISTING);

/** Entries listed per page: one yt-dlp run, and at most this many downloads started at once. */
export const BACKFILL_PAGE_SIZE = 200;
/**
 * Pages per run before the backfill continues as new. A page adds a few events per
 * download it starts; five pages stay far below the history's limits however long the
 * channel is.
 */
export const BACKFILL_PAGES_PER_RUN = 5;

/**
 * Goes back through a channel's full listing, newest first, a page at a time, beyond
 * what its crawl sees (a YouTube feed's 15 entries, yt-dlp's newest 100), up to the
 * channel's `backfill`: records each page and starts a download for each new video the
 * rules let through. Each page's position is stored with its entries, so a restarted
 * backfill goes on from there; one run holds a few pages, then continues as new.
 */
export async function backfillChannel(input: BackfillInput): Promise<BackfillSummary> {
  const summary: BackfillSummary = input.summary ?? { listed: 0, new: 0, started: 0, alreadyRunning: 0, pages: 0 };
  let from = input.from;
  for (let pagesThisRun = 1; ; pagesThisRun++) {
    const page = await listBackfillPage({ crawl: input.crawl, from, pageSize: BACKFILL_PAGE_SIZE });
    summary.pages++;
    summary.listed += page.listed;
    summary.new += page.new;
    await Promise.all(page.pending.map((video) => startDownload(input.crawl, video, summary)));
    if (page.done) return summary;
    from = page.next;
    if (pagesThisRun >= BACKFILL_PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof backfillChannel>({ crawl: input.crawl, from, summary });
    }
  }
}
