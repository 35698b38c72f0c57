import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { channelOfPacedVideos, type ManyVideos } from '../helpers/channels.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { settledVideos, testSettings, uniqueName } from '../helpers/parker.ts';
import { workerProcessSuite } from '../helpers/worker-process-suite.ts';

// `sites:` in channels.yaml: a site limited to 120 transfers a minute has its own claim
// queue, shared by two workers, and its rate holds where it matters, at the site: each
// claim takes the site's next turn from the database (src/rules/transfer-turn.ts), so the
// fixture's request start times come a turn (500 ms) apart, less what the two workers'
// timers and requests add, and never more than 2 + 1 in any one-second window, however
// the server's rate limit bunched the claims. A site with no limit is served beside it at
// full speed. `concurrency: 4` keeps the slots (2 workers × 4, each held 3 s from its
// claim) from being what limits the site.

const suite = workerProcessSuite({ scratchPrefix: 'parker-sites-' });
/** The limited site: a loopback address of its own. */
const LIMITED_HOST = '127.0.0.6';
let limitedServer: FixtureServer;
before(async () => {
  limitedServer = await FixtureServer.start(0, LIMITED_HOST);
});
after(async () => {
  await limitedServer?.close();
});

/** When the media of a run were requested, in order. */
function requestTimes(server: FixtureServer, run: ManyVideos): number[] {
  return [...run.bodies.keys()].flatMap((externalId) => server.stats(run.mediaPathOf(externalId)).requestTimes).sort((a, b) => a - b);
}

/** The shortest time between two successive requests. */
function shortestGap(times: number[]): number {
  return Math.min(...times.slice(1).map((time, i) => time - times[i]!));
}

/** The most requests that started within any one second. */
function busiestSecond(times: number[]): number {
  return Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + 1000).length));
}

test('a site with a limit of its own: its rate holds across two workers, both download from it, each video once, beside a site with no limit', { timeout: 300_000 }, async () => {
  const taskQueue = uniqueName('sites');
  const configPath = path.join(suite.scratch, 'channels.yaml');
  await writeFile(configPath, `sites:\n  limited: { hosts: ['${LIMITED_HOST}'], per_minute: 120, concurrency: 4 }\nchannels: []\n`);
  const workers = ['a', 'b'].map((name) =>
    testSettings(path.join(suite.scratch, name), { configPath, allowPrivate: ['127.0.0.1', LIMITED_HOST], maxDownloads: 8 }),
  );
  for (const settings of workers) {
    settings.temporal.taskQueue = taskQueue;
    await suite.startWorker(settings);
  }

  const limited = channelOfPacedVideos(limitedServer, { prefix: 'limited', count: 14, size: 10_000, secondsPerFile: 0.05 });
  const free = channelOfPacedVideos(suite.server, { prefix: 'free', count: 20, size: 10_000, secondsPerFile: 0.05 });
  await Promise.all(
    [limited, free].map((run) => suite.client.workflow.start(CRAWL_WORKFLOW, { taskQueue, workflowId: uniqueName('sites-crawl'), args: [run.input] })),
  );
  for (const run of [limited, free]) {
    const videos = await settledVideos(suite.db, run.channel, 200_000);
    assert.deepEqual(videos.filter((video) => video.status !== 'downloaded').map((video) => video.reason), []);
  }

  const limitedTimes = requestTimes(limitedServer, limited);
  assert.equal(limitedTimes.length, 14, 'each limited video was requested once');
  const startedAt = limitedTimes.map((t) => t - limitedTimes[0]!).join(', ');
  assert.ok(busiestSecond(limitedTimes) <= 3, `120 a minute: at most 2 + 1 transfers started in any second: ${startedAt} ms`);
  // Half a turn of slack for the timers of two busy workers; claims bunched by the server's burst would start together.
  assert.ok(shortestGap(limitedTimes) >= 250, `starts a turn apart: ${startedAt} ms`);
  const perWorker = await Promise.all(workers.map(async (settings) => (await readdir(path.join(settings.downloadDir, limited.channel))).length));
  assert.ok(perWorker.every((count) => count > 0), `both workers downloaded from the limited site: ${perWorker.join(' + ')}`);

  const freeTimes = requestTimes(suite.server, free);
  assert.equal(freeTimes.length, 20);
  assert.ok(busiestSecond(freeTimes) > 3, `the site with no limit was not held to it: ${freeTimes.map((t) => t - freeTimes[0]!).join(', ')} ms`);
});
