import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getVideo } from '../../src/db/videos.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, startParker, waitFor, type TestParker } from '../helpers/parker.ts';
import { quickTransferRetriesBundle } from '../helpers/time-skipping.ts';
import { TRANSFER_ATTEMPTS } from '../helpers/workflow-interceptors/quick-transfer-retries.ts';

// Failed videos come back: a transfer whose retries ran out against a server answering
// 503 is tried again by a later crawl once its retry delay has passed, under its own
// workflow id, and lands; a 404 is never asked for again. The transfer's own policy is
// cut to a few quick attempts (the bundle's interceptor), the retry delays to seconds
// (PARKER_RETRY_DELAYS in testSettings); everything else is the real thing.

let server: FixtureServer;
let parker: TestParker;
/** Seconds apart, as PARKER_RETRY_DELAYS=2s,2s would set them. */
const RETRY_DELAYS_MS = [2_000, 2_000];

before(async () => {
  server = await FixtureServer.start();
  parker = await startParker({ retryDelaysMs: RETRY_DELAYS_MS }, { workflowBundle: await quickTransferRetriesBundle() });
});
after(async () => {
  await parker?.stop();
  await server?.close();
});

/** The runs of a workflow id, oldest first, with their status. */
async function runsOf(workflowId: string): Promise<string[]> {
  const runs: Array<{ start: number; status: string }> = [];
  for await (const run of parker.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({ start: run.startTime.getTime(), status: run.status.name });
  }
  return runs.sort((a, b) => a.start - b.start).map((run) => run.status);
}

describe('a transient failure', () => {
  test('503 for longer than the transfer retries: failed, then downloaded by a later crawl once the server is back', async () => {
    const body = mediaBytes(50_000);
    const episode = podcastWithOneEpisode(
      server,
      { body, contentType: 'audio/mpeg' },
      { faults: Array.from({ length: TRANSFER_ATTEMPTS }, () => ({ kind: 'status' as const, status: 503 })) },
    );
    const key = { channel: episode.channel, externalId: episode.externalId };
    const workflowId = videoWorkflowId(episode.channel, episode.externalId);

    const firstCrawl = await runCrawl(parker, episode.input);
    assert.equal(firstCrawl.started, 1);
    const [failed] = await settledVideos(parker.db, episode.channel);
    assert.equal(failed?.status, 'failed');
    assert.match(failed.reason!, /HTTP 503 \(retries exhausted\)/);
    assert.equal(failed.failureKind, 'transient');
    assert.equal(failed.failedAttempts, 1);
    assert.ok(failed.nextRetryAt, 'a retry time is set');
    const delay = failed.nextRetryAt.getTime() - failed.updatedAt.getTime();
    assert.equal(delay, RETRY_DELAYS_MS[0], 'the first delay of the schedule');
    // The row is failed before the workflow ends: wait for the run to close as failed.
    await assert.rejects(parker.client.workflow.getHandle(workflowId).result());
    assert.equal(server.stats(episode.mediaPath).requests, TRANSFER_ATTEMPTS);

    // The server is back (the faults are used up), but the retry is not due yet.
    if (Date.now() < failed.nextRetryAt.getTime() - 500) {
      const early = await runCrawl(parker, episode.input);
      assert.equal(early.started, 0, 'a crawl before the retry time leaves the video alone');
      assert.equal(server.stats(episode.mediaPath).requests, TRANSFER_ATTEMPTS);
    }

    await waitFor(async () => (Date.now() > failed.nextRetryAt!.getTime() ? true : undefined), 'the retry time', 10_000);
    const later = await runCrawl(parker, episode.input);
    assert.equal(later.started, 1, 'the crawl after the retry time starts it again');
    const downloaded = await waitFor(async () => {
      const row = await getVideo(parker.db, key);
      return row?.status === 'downloaded' ? row : undefined;
    }, 'the retried download', 60_000);
    assert.equal(downloaded.sha256, sha256(body));
    assert.equal(downloaded.failureKind, undefined);
    assert.equal(downloaded.failedAttempts, 1, 'the failed run stays counted');
    assert.equal(await parker.client.workflow.getHandle(workflowId).result().then((r) => (r as { status: string }).status), 'downloaded');
    assert.deepEqual(await waitFor(async () => {
      const runs = await runsOf(workflowId);
      return runs.length === 2 ? runs : undefined;
    }, 'both runs in the visibility store'), ['FAILED', 'COMPLETED']);
  });

  test('given up after the last delay, with the reason, and no crawl starts it again', async () => {
    const episode = podcastWithOneEpisode(
      server,
      { body: mediaBytes(10_000), contentType: 'audio/mpeg' },
      { faults: Array.from({ length: TRANSFER_ATTEMPTS * 3 }, () => ({ kind: 'status' as const, status: 503 })) },
    );
    const key = { channel: episode.channel, externalId: episode.externalId };
    await runCrawl(parker, episode.input);
    for (let attempt = 1; attempt <= RETRY_DELAYS_MS.length + 1; attempt++) {
      const row = await waitFor(async () => {
        const video = await getVideo(parker.db, key);
        return video?.status === 'failed' && video.failedAttempts === attempt ? video : undefined;
      }, `failed download ${attempt}`, 60_000);
      if (!row.nextRetryAt) break;
      // The row is failed a moment before the run ends; a crawl in between finds it running.
      await assert.rejects(parker.client.workflow.getHandle(videoWorkflowId(key.channel, key.externalId)).result());
      await waitFor(async () => (Date.now() > row.nextRetryAt!.getTime() ? true : undefined), 'the retry time', 10_000);
      await runCrawl(parker, episode.input);
    }
    const given = (await getVideo(parker.db, key))!;
    assert.equal(given.failedAttempts, RETRY_DELAYS_MS.length + 1);
    assert.equal(given.nextRetryAt, undefined);
    assert.match(given.reason!, /^given up after 3 failed downloads: .*HTTP 503/);
    const requests = server.stats(episode.mediaPath).requests;
    assert.equal(requests, TRANSFER_ATTEMPTS * 3);
    assert.equal((await runCrawl(parker, episode.input)).started, 0);
  });
});

describe('a permanent failure', () => {
  test('a 404 is not tried again by later crawls', async () => {
    const episode = podcastWithOneEpisode(server, { body: mediaBytes(1000), contentType: 'audio/mpeg' }, { faults: [{ kind: 'status', status: 404 }] });
    await runCrawl(parker, episode.input);
    const [failed] = await settledVideos(parker.db, episode.channel);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed.failureKind, 'permanent');
    assert.equal(failed.nextRetryAt, undefined);
    await assert.rejects(parker.client.workflow.getHandle(videoWorkflowId(episode.channel, episode.externalId)).result());

    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[0]! + 200));
    const later = await runCrawl(parker, episode.input);
    assert.equal(later.started, 0);
    assert.equal(server.stats(episode.mediaPath).requests, 1, 'the 404 was asked once');
    assert.equal((await getVideo(parker.db, { channel: episode.channel, externalId: episode.externalId }))!.status, 'failed');
  });
});
