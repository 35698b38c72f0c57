import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadChannelList } from '../../src/config/channels.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import type { MediaRefreshReport } from '../../src/shared/media-refresh.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { mediaBytes, runCrawl, settledVideos, startParker, uniqueName, waitFor, type TestParker } from '../helpers/parker.ts';
import { downloadWorkflowTaskQueueFor } from '../../src/shared/names.ts';

// The media servers' library refresh against a loopback receiver that checks what the
// servers' API documentation says: Jellyfin's POST /Library/Refresh with
// `Authorization: MediaBrowser Token="…"`, Emby's with `X-Emby-Token`, Plex's GET
// /library/sections/<id>/refresh?X-Plex-Token=…. One call per library per batch; a
// receiver answering 500 fails no download and delays none.

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  at: number;
}

let server: FixtureServer;
let parker: TestParker;
let receiver: Server;
let receiverUrl: string;
let scratch: string;
const received: Received[] = [];
let answer = 204;

before(async () => {
  server = await FixtureServer.start();
  parker = await startParker();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-media-'));
  receiver = createServer((req, res) => {
    received.push({ method: req.method!, url: req.url!, headers: req.headers, at: Date.now() });
    req.resume();
    res.writeHead(answer).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
after(async () => {
  await parker?.stop();
  await server?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

/** channels.yaml with one channel and the three servers; returns the crawl input Parker would schedule. */
async function configured(name: string, episodes: number) {
  const items: FeedItem[] = [];
  for (let i = 0; i < episodes; i++) {
    server.setMedia(`/${name}/ep${i}.mp3`, { body: mediaBytes(20_000), contentType: 'audio/mpeg' });
    items.push({ guid: `${name}-ep${i}`, title: `Episode ${i}`, mediaUrl: server.url(`/${name}/ep${i}.mp3`), publishedAt: new Date(Date.UTC(2024, 0, 1 + i)) });
  }
  server.setFeed(`/${name}/feed.xml`, rssFeed(name, items));
  writeFileSync(path.join(scratch, 'plex-token'), 'plex-secret-token\n');
  writeFileSync(
    parker.settings.configPath,
    `media_server:
  - kind: jellyfin
    url: ${receiverUrl}/jellyfin/
    api_key: jf-key-123
  - kind: emby
    url: ${receiverUrl}/emby
    api_key: emby-key-456
  - kind: plex
    url: ${receiverUrl}/plex
    token_file: ${path.join(scratch, 'plex-token')}
    sections: [3, 7]
channels:
  - name: ${name}
    url: ${server.url(`/${name}/feed.xml`)}
`,
  );
  const list = await loadChannelList(parker.settings.configPath);
  assert.deepEqual(list.problems, []);
  const channel = list.channels[0]!;
  assert.equal(channel.download?.mediaRefresh, true, 'downloads ask for the refresh when servers are configured');
  return { channel: name, url: channel.url, backfill: episodes, download: channel.download };
}

/** The result of the batch that started after `since` (an earlier test's batch has the same id). */
async function batchResult(since: number): Promise<MediaRefreshReport> {
  // One batch per queue of download workflows: the downloads start it there.
  const id = `parker-media-refresh-${downloadWorkflowTaskQueueFor(parker.taskQueue)}`;
  // The row is marked downloaded by finalize; the download starts the batch just after.
  const runId = await waitFor(
    () => parker.client.workflow.getHandle(id).describe().then((run) => (run.startTime.getTime() >= since ? run.runId : undefined), () => undefined),
    'the refresh batch to start',
  );
  return (await parker.client.workflow.getHandle(id, runId).result()) as MediaRefreshReport;
}

describe('media server refresh', () => {
  test('downloads in one batch: one documented call per library, with the right auth; none before the batch ends', { timeout: 180_000 }, async () => {
    received.length = 0;
    answer = 204;
    const input = await configured(uniqueName('jelly'), 3);
    const started = Date.now();
    await runCrawl(parker, input);
    const videos = await settledVideos(parker.db, input.channel);
    assert.ok(videos.every((video) => video.status === 'downloaded'));
    assert.equal(received.length, 0, 'nothing asked while the batch collects downloads');

    const report = await batchResult(started);
    assert.deepEqual(report.servers, [
      { name: 'jellyfin', refreshed: true },
      { name: 'emby', refreshed: true },
      { name: 'plex', refreshed: true },
    ]);
    assert.ok(received[0]!.at - started >= 55_000, 'the batch waits a minute');
    assert.deepEqual(
      received.map((call) => [call.method, call.url]),
      [
        ['POST', '/jellyfin/Library/Refresh'],
        ['POST', '/emby/Library/Refresh'],
        ['GET', '/plex/library/sections/3/refresh?X-Plex-Token=plex-secret-token'],
        ['GET', '/plex/library/sections/7/refresh?X-Plex-Token=plex-secret-token'],
      ],
      'one call per library for three downloads',
    );
    assert.equal(received[0]!.headers.authorization, 'MediaBrowser Token="jf-key-123"');
    assert.equal(received[1]!.headers['x-emby-token'], 'emby-key-456');
    assert.equal(received[1]!.headers.authorization, undefined);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(received.length, 4, 'and nothing after');
  });

  test('a receiver answering 500: every download lands at once and the batch ends reporting the refusal', { timeout: 240_000 }, async () => {
    received.length = 0;
    answer = 500;
    const input = await configured(uniqueName('down'), 2);
    const started = Date.now();
    await runCrawl(parker, input);
    const videos = await settledVideos(parker.db, input.channel);
    assert.ok(videos.every((video) => video.status === 'downloaded'), 'a refusing media server fails no download');
    assert.ok(Date.now() - started < 50_000, 'and delays none: they land before the batch asks anything');

    const report = await batchResult(started);
    assert.deepEqual(report.servers.map((entry) => [entry.name, entry.refreshed]), [['jellyfin', false], ['emby', false], ['plex', false]]);
    assert.match(report.servers[0]!.error!, /jellyfin jellyfin: POST .*\/jellyfin\/Library\/Refresh answered HTTP 500/);
    assert.ok(!JSON.stringify(report).includes('plex-secret-token'), 'the token is never in the history');
    assert.ok(!JSON.stringify(report).includes('jf-key-123'));
    const jellyfinCalls = received.filter((call) => call.url === '/jellyfin/Library/Refresh').length;
    assert.equal(jellyfinCalls, 4, 'retried by its own policy: four attempts');
    await waitFor(async () => (received.length >= 4 * 3 ? true : undefined), 'every server tried');
  });
});
