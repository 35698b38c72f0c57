import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { rssFeed } from '../../src/demo/rss-feed.ts';
import { scheduleIdFor } from '../../src/shared/names.ts';
import { PARKER_CHANNEL } from '../../src/shared/search-attributes.ts';
import { feedChannel } from '../helpers/feed-channel.ts';
import { fixtureAndParker, settledVideos, uniqueName, waitFor } from '../helpers/parker.ts';
import { cli, cliEnv, runCli } from '../helpers/parker-cli.ts';

// `npx parker channels …` and `parker videos …` against a real worker, Temporal and
// database: channels.yaml edited with its comments kept, schedules paused, resumed and
// triggered, videos listed and shown.

const { server, parker } = await fixtureAndParker();
const env = cliEnv(parker.settings);

/** Every comment of the file, in order, each still there after an edit. */
function comments(text: string): string[] {
  return text.split('\n').flatMap((line) => (line.includes('#') ? [line.slice(line.indexOf('#'))] : []));
}

const HEADER = `# My channels. This comment must survive every edit.
defaults:
  every: 30m   # a comment on a default
  backfill: 3

channels:
  # Nothing here yet; parker channels add appends below.
`;

describe('parker channels', () => {
  test('add keeps the comments and schedules the channel; pause, resume, list, trigger and remove act on its schedule', async () => {
    writeFileSync(parker.settings.configPath, HEADER);
    const channel = feedChannel(server, 'cli', [{ id: 'one', title: 'First episode', served: true }]);
    // Slow, so that the crawl still runs when the trigger comes.
    const feedPath = new URL(channel.feedUrl).pathname;
    const feed = Buffer.from(rssFeed(channel.channel, [{ guid: `${channel.channel}-one`, title: 'First episode', mediaUrl: server.url(`/${channel.channel}/one.mp3`), mediaType: 'audio/mpeg', publishedAt: new Date(Date.UTC(2025, 5, 1)) }]));
    server.setMedia(feedPath, { body: feed, contentType: 'application/rss+xml', bytesPerSecond: feed.length / 4 });

    const added = await cli(['channels', 'add', channel.feedUrl, '--name', channel.channel, '--every', '1h', '--backfill', '1'], env);
    assert.match(added, new RegExp(`added channel ${channel.channel}`));
    const file = readFileSync(parker.settings.configPath, 'utf8');
    assert.deepEqual(comments(file), comments(HEADER), `the comments are kept:\n${file}`);
    assert.match(file, new RegExp(`- name: ${channel.channel}\\n\\s+url: ${channel.feedUrl.replace(/[.?]/g, '\\$&')}\\n\\s+every: 1h\\n\\s+backfill: 1`));

    const handle = parker.client.schedule.getHandle(scheduleIdFor(channel.channel));
    const description = await handle.describe();
    assert.ok(description.action.type === 'startWorkflow' && description.action.taskQueue === parker.taskQueue);

    // The schedule's first crawl is running (the feed takes 4 s): a trigger now is queued.
    await cli(['channels', 'trigger', channel.channel], env);
    const crawls = `${PARKER_CHANNEL.name}='${channel.channel}' AND WorkflowType='crawlChannel' AND ExecutionStatus='Completed'`;
    await waitFor(async () => ((await parker.client.workflow.count(crawls)).count === 2 ? true : undefined), 'two completed crawls', 60_000);
    assert.equal(server.stats(feedPath).requests, 2, 'the triggered crawl was queued, not dropped');
    const [video] = await settledVideos(parker.db, channel.channel);
    assert.equal(video!.status, 'downloaded');

    await cli(['channels', 'pause', channel.channel, '--note', 'on holiday'], env);
    const paused = await handle.describe();
    assert.equal(paused.state.paused, true);
    assert.equal(paused.state.note, 'on holiday');
    const listed = JSON.parse(await cli(['channels', 'list', '--json'], env)) as { channels: Array<{ name: string; schedule: string; note?: string }> };
    assert.deepEqual(listed.channels.find((row) => row.name === channel.channel)?.schedule, 'paused');
    await cli(['channels', 'resume', channel.channel], env);
    assert.equal((await handle.describe()).state.paused, false);

    const videos = JSON.parse(await cli(['videos', 'list', '--channel', channel.channel, '--json'], env)) as Array<{ externalId: string; status: string; title: string }>;
    assert.deepEqual(videos.map((row) => [row.externalId, row.status, row.title]), [[`${channel.channel}-one`, 'downloaded', 'First episode']]);
    const shown = await cli(['videos', 'show', channel.channel, `${channel.channel}-one`], env);
    assert.match(shown, new RegExp(`sha256\\s+${video!.sha256}`));
    assert.match(shown, /runs\s+completed /);

    await cli(['channels', 'remove', channel.channel], env);
    const after = readFileSync(parker.settings.configPath, 'utf8');
    assert.deepEqual(comments(after), comments(HEADER), `the comments are kept:\n${after}`);
    assert.doesNotMatch(after, new RegExp(channel.channel));
    await assert.rejects(handle.describe());
  });

  test('a channel without a schedule: one sentence that says what to do, and exit 1', async () => {
    const missing = uniqueName('nobody');
    const run = await runCli(['channels', 'pause', missing], env);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^parker: channel "${missing}" has no schedule .*parker channels add`));
  });

  test('add refuses a name in use and an entry that would not validate, writing nothing', async () => {
    const name = uniqueName('dup');
    writeFileSync(parker.settings.configPath, `${HEADER}  - name: ${name}\n    url: https://example.org/feed.xml\n`);
    const before = readFileSync(parker.settings.configPath, 'utf8');
    const taken = await runCli(['channels', 'add', 'https://example.org/other.xml', '--name', name], env);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already: choose another name with --name/);
    const broken = await runCli(['channels', 'add', 'https://example.org/other.xml', '--name', uniqueName('fast'), '--every', '5s'], env);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /every: must be .*nothing was written/);
    assert.equal(readFileSync(parker.settings.configPath, 'utf8'), before);
  });
});
