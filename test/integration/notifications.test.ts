import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import type { VideoNotification } from '../../src/shared/notify.ts';
import { podcastWithOneEpisode, type OneEpisode } from '../helpers/channels.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { mediaBytes, runCrawl, settledVideos, startParker, waitFor, type TestParker } from '../helpers/parker.ts';

// Notifications from a real worker to a receiver on loopback: a webhook gets one JSON POST
// per finished video (downloaded, or failed with the reason), Apprise (the real CLI from
// the yt-dlp virtualenv) reaches a json:// URL, and a webhook that answers 500 neither
// fails nor holds up the download.

interface Received {
  path: string;
  at: number;
  body: Record<string, unknown>;
}

let fixture: FixtureServer;
let parker: TestParker;
let receiver: Server;
let receiverOrigin: string;
const received: Received[] = [];

before(async () => {
  fixture = await FixtureServer.start();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> });
      res.writeHead(req.url === '/dead' ? 500 : 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverOrigin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  parker = await startParker();
});
after(async () => {
  await parker?.stop();
  await fixture?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** channels.yaml with these channels and their `notify:` blocks (YAML flow mappings). */
async function channelsFile(entries: Array<[OneEpisode, string]>): Promise<void> {
  const lines = entries.map(([episode, notify]) => `  - name: ${episode.channel}\n    url: ${episode.input.url}\n    notify: ${notify}\n`);
  await writeFile(parker.settings.configPath, `channels:\n${lines.join('')}`);
}

/** The notification workflow a video's last download run started. */
async function notificationOf(episode: OneEpisode) {
  const download = parker.client.workflow.getHandle(videoWorkflowId(episode.channel, episode.externalId));
  await download.result().catch(() => {});
  const { runId, closeTime } = await download.describe();
  return { handle: parker.client.workflow.getHandle(`${download.workflowId}-notify-${runId}`), downloadClosed: closeTime! };
}

function receivedFor(episode: OneEpisode, path: string): Received[] {
  return received.filter((entry) => entry.path === path && JSON.stringify(entry.body).includes(episode.externalId));
}

describe('notifications', () => {
  test('a downloaded and a failed video: one webhook POST each, with title, channel, path or reason; apprise reaches json://', async () => {
    const ok = podcastWithOneEpisode(fixture, { body: mediaBytes(20_000), contentType: 'audio/mpeg' });
    const gone = podcastWithOneEpisode(fixture, { body: mediaBytes(1000), contentType: 'audio/mpeg' }, { faults: [{ kind: 'status', status: 404 }] });
    const apprise = `json://${receiverOrigin.slice('http://'.length)}/apprise`;
    await channelsFile([
      [ok, `{ webhook: "${receiverOrigin}/hook", apprise: ["${apprise}"] }`],
      [gone, `{ webhook: "${receiverOrigin}/hook", on: [failed] }`],
    ]);
    await runCrawl(parker, ok.input);
    await runCrawl(parker, gone.input);
    const [downloaded] = await settledVideos(parker.db, ok.channel);
    assert.equal(downloaded?.status, 'downloaded');
    await settledVideos(parker.db, gone.channel);

    for (const episode of [ok, gone]) {
      const { handle } = await notificationOf(episode);
      assert.deepEqual(await handle.result(), { sent: episode === ok ? 2 : 1 });
    }
    const [hookOk, ...moreOk] = receivedFor(ok, '/hook');
    assert.equal(moreOk.length, 0, 'exactly one webhook POST for the downloaded video');
    const sentOk = hookOk!.body as unknown as VideoNotification;
    assert.deepEqual(
      [sentOk.event, sentOk.channel, sentOk.externalId, sentOk.title, sentOk.filePath],
      ['downloaded', ok.channel, ok.externalId, 'The episode', downloaded.filePath],
    );
    const [hookGone, ...moreGone] = receivedFor(gone, '/hook');
    assert.equal(moreGone.length, 0, 'exactly one webhook POST for the failed video');
    const sentGone = hookGone!.body as unknown as VideoNotification;
    assert.equal(sentGone.event, 'failed');
    assert.match(sentGone.reason!, /answered HTTP 404/);

    const viaApprise = received.filter((entry) => entry.path === '/apprise');
    assert.equal(viaApprise.length, 1, 'apprise sent one message');
    assert.equal(viaApprise[0]!.body.title, 'Downloaded: The episode');
    assert.match(String(viaApprise[0]!.body.message), new RegExp(`channel ${ok.channel}\\n${downloaded.filePath!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('a webhook answering 500 neither fails nor delays the download; its notification is retried on its own', async () => {
    const episode = podcastWithOneEpisode(fixture, { body: mediaBytes(20_000), contentType: 'audio/mpeg' });
    await channelsFile([[episode, `{ webhook: "${receiverOrigin}/dead" }`]]);
    await runCrawl(parker, episode.input);
    const [video] = await settledVideos(parker.db, episode.channel);
    assert.equal(video?.status, 'downloaded');
    const download = parker.client.workflow.getHandle(videoWorkflowId(episode.channel, episode.externalId));
    assert.equal(((await download.result()) as { status: string }).status, 'downloaded');

    const { handle, downloadClosed } = await notificationOf(episode);
    // The first POST was answered 500, and the notification's next attempt waits 5 s:
    // the download had closed before the notification could have been delivered.
    await waitFor(async () => (receivedFor(episode, '/dead').length >= 2 ? true : undefined), 'a second POST to the dead webhook', 30_000);
    const notification = await handle.describe();
    assert.equal(notification.status.name, 'RUNNING', 'the notification goes on retrying');
    const retried = receivedFor(episode, '/dead')[1]!;
    assert.ok(downloadClosed.getTime() < retried.at, 'the download closed before the webhook was tried again');
    await handle.terminate('test done');
  });
});
