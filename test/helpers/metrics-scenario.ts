import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { rssFeed } from '../../src/demo/rss-feed.ts';
import { scheduleIdFor } from '../../src/shared/names.ts';
import { syncSchedules } from '../../src/temporal/channel-schedules.ts';
import { FixtureServer } from './fixture-server.ts';
import { mediaBytes, runCrawl, settledVideos, uniqueName, type TestParker } from './parker.ts';
import type { TestPrometheus } from './prometheus.ts';
import { podcastWithOneEpisode } from './channels.ts';
import { quickTransferRetriesBundle } from './time-skipping.ts';
import { TRANSFER_ATTEMPTS } from './workflow-interceptors/quick-transfer-retries.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import type { Settings } from '../../src/config/settings.ts';
import type { WorkflowBundleOption } from '@temporalio/worker';

// The dashboard, proven against real data in a real Prometheus, however the metrics got
// there (scraped from Parker's endpoint, or sent over OTLP through a collector): the
// pipeline runs against the fixture server (a download, a 404, skipped entries, a broken
// feed, a scheduled crawl that finds its feed unchanged), and then every query of every
// panel must return a series. A panel that drifts from the code fails here.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DASHBOARD = path.join(root, 'grafana', 'dashboards', 'parker.json');

interface Dashboard {
  panels: { title: string; targets?: { expr?: string }[] }[];
}

/**
 * What the observed Parker runs with, for the retry panels: a flaky video's transfer runs
 * out of its (quick) retries, so that one crawl schedules its retry and the next, a second
 * later, gives it up.
 */
export const OBSERVED_SETTINGS: Partial<Settings> = { retryDelaysMs: [1_000] };
export function observedWorkflowBundle(): Promise<WorkflowBundleOption> {
  return quickTransferRetriesBundle();
}

/** What a metrics test file sets up: a Parker whose metrics reach the Prometheus, and how to take both down. */
export interface ObservedParker {
  parker: TestParker;
  prometheus: TestPrometheus;
  close(): Promise<void>;
}

/**
 * Registers the file's before/after and the dashboard's tests.
 * @param setUp starts Parker and a Prometheus that gets its metrics (the runtime must be installed in it)
 */
export function dashboardSuite(title: string, setUp: () => Promise<ObservedParker>): void {
  let server: FixtureServer;
  let parker: TestParker;
  let prometheus: TestPrometheus;
  let close: (() => Promise<void>) | undefined;
  const channel = uniqueName('obs');
  const broken = uniqueName('obs-broken');
  let flakyChannel = '';

  async function dashboardQueries(): Promise<{ panel: string; expr: string }[]> {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
    const queries = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr ?? '' })),
    );
    assert.ok(queries.length >= 10, `the dashboard has only ${queries.length} queries`);
    for (const query of queries) assert.ok(query.expr.trim(), `panel "${query.panel}" has an empty query`);
    return queries;
  }

  /** Waits until a query returns a series, and returns them. */
  async function eventually(expr: string, timeoutMs = 30_000): Promise<Awaited<ReturnType<TestPrometheus['query']>>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const series = await prometheus.query(expr);
      if (series.length > 0 || Date.now() > deadline) return series;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Waits for the schedule's first (immediately triggered) crawl and its end. */
  async function scheduledCrawl(scheduleId: string): Promise<void> {
    const handle = parker.client.schedule.getHandle(scheduleId);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [action] = (await handle.describe()).info.recentActions;
      if (action) {
        await parker.client.workflow.getHandle(action.action.workflow.workflowId).result();
        return;
      }
      if (Date.now() > deadline) throw new Error(`schedule ${scheduleId} started no crawl within 60s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    server = await FixtureServer.start();
    ({ parker, prometheus, close } = await setUp());
    // One channel with all the outcomes: newest first, backfill 2 on the first crawl.
    server.setMedia(`/${channel}/ok.mp3`, { body: mediaBytes(200_000), contentType: 'audio/mpeg', etag: '"ok"' });
    const day = (n: number) => new Date(Date.UTC(2025, 0, n));
    server.setFeed(
      `/${channel}/feed.xml`,
      rssFeed(channel, [
        { guid: `${channel}-ok`, title: 'Downloads', mediaUrl: server.url(`/${channel}/ok.mp3`), publishedAt: day(4) },
        { guid: `${channel}-gone`, title: 'Answers 404', mediaUrl: server.url(`/${channel}/gone.mp3`), publishedAt: day(3) },
        { guid: `${channel}-old`, title: 'Past the backfill limit', mediaUrl: server.url(`/${channel}/old.mp3`), publishedAt: day(1) },
        { guid: `${channel}-notes`, title: 'Show notes only', publishedAt: day(2) },
      ]),
      undefined,
      { etag: `"${channel}-v1"` },
    );
    const input = { channel, url: server.url(`/${channel}/feed.xml`), backfill: 2 };
    await runCrawl(parker, input);
    const videos = await settledVideos(parker.db, channel);
    assert.deepEqual(
      Object.fromEntries(videos.map((video) => [video.externalId.slice(channel.length + 1), video.status])),
      { ok: 'downloaded', gone: 'failed', old: 'skipped', notes: 'skipped' },
    );

    // The schedule's crawl: its lag is measured, and the unchanged feed answers 304.
    const scheduleId = scheduleIdFor(channel);
    await syncSchedules(parker.client, [{ name: channel, url: input.url, every: '1h', everyMs: 3_600_000, backfill: 2 }], {
      taskQueue: parker.taskQueue,
    });
    try {
      await scheduledCrawl(scheduleId);
    } finally {
      await parker.client.schedule.getHandle(scheduleId).delete();
    }
    assert.equal(server.stats(`/${channel}/feed.xml`).requestHeaders[1]?.['if-none-match'], `"${channel}-v1"`);

    // A video whose server answers 503 for longer than its transfer retries, twice.
    const flaky = podcastWithOneEpisode(
      server,
      { body: mediaBytes(1000), contentType: 'audio/mpeg' },
      { faults: Array.from({ length: 2 * TRANSFER_ATTEMPTS }, () => ({ kind: 'status' as const, status: 503 })) },
    );
    flakyChannel = flaky.channel;
    for (let run = 1; run <= 2; run++) {
      await runCrawl(parker, flaky.input);
      await assert.rejects(parker.client.workflow.getHandle(videoWorkflowId(flaky.channel, flaky.externalId)).result());
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    const [givenUp] = await settledVideos(parker.db, flaky.channel);
    assert.match(givenUp?.reason ?? '', /^given up after 2 failed downloads/);

    // A feed that is not XML: the crawl fails at once (not retried), counted as a crawl error.
    server.setFeed(`/${broken}/feed.xml`, '<html>this site changed</html>', 'text/html');
    await assert.rejects(runCrawl(parker, { channel: broken, url: server.url(`/${broken}/feed.xml`), backfill: 1 }), WorkflowFailedError);
  });

  after(async () => {
    await close?.();
    await server?.close();
  });

  describe(title, () => {
    test('every query of the Grafana dashboard returns at least one series', async () => {
      const queries = await dashboardQueries();
      const empty: string[] = [];
      for (const { panel, expr } of queries) {
        if ((await eventually(expr)).length === 0) empty.push(`"${panel}": ${expr}`);
      }
      assert.deepEqual(empty, [], `panels without data:\n${empty.join('\n')}\nprometheus output:\n${prometheus.output()}`);
    });

    test('a failed download and skipped videos are counted with their labels', async () => {
      const value = async (expr: string) => {
        const series = await eventually(expr);
        assert.equal(series.length, 1, `${expr} returned ${JSON.stringify(series)}`);
        return Number(series[0]!.value[1]);
      };
      assert.equal(await value(`parker_downloads_finished_total{channel="${channel}",result="failed",reason="MediaGone"}`), 1);
      assert.equal(await value(`parker_downloads_finished_total{channel="${channel}",result="downloaded",reason="none"}`), 1);
      assert.equal(await value(`parker_videos_skipped_total{channel="${channel}",reason="backfill_limit"}`), 1);
      assert.equal(await value(`parker_videos_skipped_total{channel="${channel}",reason="not_downloadable"}`), 1);
      assert.equal(await value(`parker_videos_discovered_total{channel="${channel}"}`), 2);
      assert.equal(await value(`parker_downloaded_bytes_total{channel="${channel}"}`), 200_000);
      assert.equal(await value(`parker_downloads_in_flight{channel="${channel}"}`), 0);
      assert.equal(await value(`parker_feeds_not_modified_total{channel="${channel}"}`), 1);
      assert.equal(await value(`parker_schedule_lag_seconds_count{channel="${channel}"}`), 1);
      assert.equal(await value(`parker_crawl_duration_seconds_count{channel="${channel}"}`), 2);
      assert.equal(await value(`parker_crawl_errors_total{channel="${broken}",reason="InvalidFeed"}`), 1);
      assert.equal(await value(`parker_download_duration_seconds_count{channel="${channel}",result="failed"}`), 1);
      assert.equal(await value(`parker_download_retries_scheduled_total{channel="${flakyChannel}",reason="HttpStatusError"}`), 1);
      assert.equal(await value(`parker_downloads_given_up_total{channel="${flakyChannel}",reason="HttpStatusError"}`), 1);
    });
  });
}
