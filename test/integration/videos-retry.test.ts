import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { registerRetryCommands } from '../../src/cli/videos-retry.ts';
import { getVideo, type VideoKey, type VideoRow } from '../../src/db/videos.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { retryAllFailed, retryVideo, RetryRefusedError, type RetryVideosDeps } from '../../src/operations/retry-videos.ts';
import { podcastWithOneEpisode, type OneEpisode } from '../helpers/channels.ts';
import { cliEnv, runCli } from '../helpers/parker-cli.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, startParker, waitFor, type TestParker } from '../helpers/parker.ts';
import { quickTransferRetriesBundle } from '../helpers/time-skipping.ts';
import { TRANSFER_ATTEMPTS } from '../helpers/workflow-interceptors/quick-transfer-retries.ts';
import { downloadWorkflowTaskQueueFor } from '../../src/shared/names.ts';

// `parker videos retry` and `parker videos ignore` against a real worker: a failed video
// is started again under its own workflow id with the options channels.yaml gives its
// channel now, and an ignored one is left alone by crawls until a person asks for it.

let server: FixtureServer;
let parker: TestParker;
let deps: RetryVideosDeps;

before(async () => {
  server = await FixtureServer.start();
  parker = await startParker({}, { workflowBundle: await quickTransferRetriesBundle() });
  deps = { client: parker.client, db: parker.db, taskQueue: downloadWorkflowTaskQueueFor(parker.taskQueue), configPath: parker.settings.configPath };
});
after(async () => {
  await parker?.stop();
  await server?.close();
});

/** channels.yaml with these channels, each writing an NFO next to its videos. */
async function channelsFile(...episodes: OneEpisode[]): Promise<void> {
  const entries = episodes.map((episode) => `  - name: ${episode.channel}\n    url: ${episode.input.url}\n    write: [nfo]\n`);
  await writeFile(parker.settings.configPath, `# written by the test\nchannels:\n${entries.join('')}`);
}

/** Runs `parker videos <args>` through commander, as the CLI would, and returns what it printed. */
async function parkerVideos(...args: string[]): Promise<string[]> {
  const printed: string[] = [];
  const program = new Command('parker').exitOverride();
  // Usage errors come back as the rejection the tests check, not on stderr.
  const videos = program.command('videos').exitOverride().configureOutput({ writeErr: () => {} });
  registerRetryCommands(videos, { open: async () => ({ ...deps, close: async () => {} }), print: (line) => printed.push(line) });
  await program.parseAsync(['videos', ...args], { from: 'user' });
  return printed;
}

async function downloaded(key: VideoKey): Promise<VideoRow> {
  return waitFor(async () => {
    const row = await getVideo(parker.db, key);
    return row?.status === 'downloaded' ? row : undefined;
  }, `${key.externalId} downloaded`, 60_000);
}

async function workflowEnded(episode: OneEpisode): Promise<void> {
  await parker.client.workflow.getHandle(videoWorkflowId(episode.channel, episode.externalId)).result().catch(() => {});
}

describe('parker videos retry', () => {
  test("a failed video starts again under its own id, with the channel's current options", async () => {
    const body = mediaBytes(20_000);
    const episode = podcastWithOneEpisode(server, { body, contentType: 'audio/mpeg' }, { faults: [{ kind: 'status', status: 404 }] });
    const key = { channel: episode.channel, externalId: episode.externalId };
    await runCrawl(parker, episode.input);
    const [failed] = await settledVideos(parker.db, episode.channel);
    assert.equal(failed?.failureKind, 'permanent');
    await workflowEnded(episode);

    // The channel now asks for an NFO: the retry brings it.
    await channelsFile(episode);
    const printed = await parkerVideos('retry', episode.channel, episode.externalId);
    const workflowId = videoWorkflowId(episode.channel, episode.externalId);
    assert.deepEqual(printed, [`${episode.channel}/${episode.externalId}: started again (workflow ${workflowId})`]);
    const row = await downloaded(key);
    assert.equal(row.sha256, sha256(body));
    await access(row.filePath!.replace(/\.mp3$/, '.nfo'));
    const result = (await parker.client.workflow.getHandle(workflowId).result()) as { status: string };
    assert.equal(result.status, 'downloaded');

    await assert.rejects(retryVideo(deps, key), (error: Error) => error instanceof RetryRefusedError && /downloaded already/.test(error.message));
    await assert.rejects(
      retryVideo(deps, { channel: episode.channel, externalId: 'nope' }),
      (error: Error) => error instanceof RetryRefusedError && /no recorded video nope in channel/.test(error.message),
    );
  });

  test('an ignored transient failure is left alone by crawls and --all-failed; asked for by name, it lands', async () => {
    const body = mediaBytes(20_000);
    const episode = podcastWithOneEpisode(
      server,
      { body, contentType: 'audio/mpeg' },
      { faults: Array.from({ length: TRANSFER_ATTEMPTS }, () => ({ kind: 'status' as const, status: 503 })) },
    );
    const other = podcastWithOneEpisode(server, { body: mediaBytes(1000), contentType: 'audio/mpeg' }, { faults: [{ kind: 'status', status: 404 }] });
    const key = { channel: episode.channel, externalId: episode.externalId };
    await channelsFile(episode, other);
    await runCrawl(parker, episode.input);
    await runCrawl(parker, other.input);
    const [failed] = await settledVideos(parker.db, episode.channel);
    assert.equal(failed?.failureKind, 'transient');
    // The real `parker videos show` says it comes back, and when.
    const shown = await runCli(['videos', 'show', episode.channel, episode.externalId], cliEnv(parker.settings));
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^failure +transient$/m);
    assert.match(shown.stdout, /^attempts +1$/m);
    assert.match(shown.stdout, new RegExp(`^retry at +${failed.nextRetryAt!.toISOString()}$`, 'm'));
    await settledVideos(parker.db, other.channel);
    await workflowEnded(episode);
    await workflowEnded(other);

    assert.deepEqual(await parkerVideos('ignore', episode.channel, episode.externalId), [
      `${episode.channel}/${episode.externalId}: ignored; no crawl will try it again`,
    ]);
    assert.ok((await getVideo(parker.db, key))!.ignoredAt);
    await waitFor(async () => (Date.now() > failed.nextRetryAt!.getTime() ? true : undefined), 'the retry time', 10_000);
    assert.equal((await runCrawl(parker, episode.input)).started, 0, 'no crawl starts an ignored video');
    assert.equal(server.stats(episode.mediaPath).requests, TRANSFER_ATTEMPTS);

    assert.deepEqual(await retryAllFailed(deps, { channel: episode.channel }), [], '--all-failed leaves ignored videos alone');
    const otherId = videoWorkflowId(other.channel, other.externalId);
    assert.deepEqual(JSON.parse((await parkerVideos('retry', '--all-failed', '--channel', other.channel, '--json'))[0]!), [
      { channel: other.channel, externalId: other.externalId, workflowId: otherId, status: 'started' },
    ]);
    await downloaded({ channel: other.channel, externalId: other.externalId });

    await parkerVideos('retry', episode.channel, episode.externalId);
    const row = await downloaded(key);
    assert.equal(row.sha256, sha256(body));
    assert.equal(row.ignoredAt, undefined, 'asking for it by name takes it back');
  });

  test('the arguments are checked: a channel and an id, or --all-failed', async () => {
    await assert.rejects(parkerVideos('retry', 'only-a-channel'), /give a channel and a video id, or --all-failed/);
    await assert.rejects(parkerVideos('retry', 'c', 'id', '--all-failed'), /give a channel and a video id, or --all-failed/);
  });
});
