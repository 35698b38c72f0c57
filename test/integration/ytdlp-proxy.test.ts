import assert from 'node:assert/strict';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { AddressPolicy } from '../../src/http/address-policy.ts';
import { startForwardProxy, type ForwardProxy } from '../../src/http/forward-proxy.ts';
import { serveYoutubeChannel } from '../helpers/fixture-youtube.ts';
import { fixtureAndParker, mediaBytes, runCrawl, settledVideos, sha256, uniqueName } from '../helpers/parker.ts';

// yt-dlp under the worker's address policy: every connection it makes goes through the
// worker's forward proxy on 127.0.0.1. The tests allow 127.0.0.1 (the fixture server);
// 127.0.0.2 (another loopback address Linux answers on) and 169.254.169.254 (the cloud
// metadata address) stay refused. A listener on 127.0.0.2 counts every connection that
// reaches it: none may.

const { server, parker } = await fixtureAndParker((fixture) => ({ youtubeBaseUrl: fixture.origin }));

let forbidden: net.Server;
let forbiddenPort: number;
let connectionsToForbidden = 0;

before(async () => {
  forbidden = net.createServer((socket) => {
    connectionsToForbidden++;
    socket.end('HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 5\r\n\r\nsneak');
  });
  await new Promise<void>((resolve) => forbidden.listen(0, '127.0.0.2', resolve));
  forbiddenPort = (forbidden.address() as net.AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => forbidden.close(() => resolve()));
});

/** A YouTube channel with one video whose watch page embeds `mediaUrl`; its settled video and how often yt-dlp read the page (once per attempt). */
async function videoEmbedding(mediaUrl: string) {
  const name = uniqueName('policy');
  const videoId = `${name.slice(-8)}-p1`;
  const channelId = `UC${name.replace(/[^A-Za-z0-9]/g, '').padEnd(22, '0').slice(0, 22)}`;
  const handle = `h${name.replace(/-/g, '')}`;
  serveYoutubeChannel(server, {
    channelId,
    handle,
    title: 'Policy channel',
    videos: [{ id: videoId, title: 'Embedded', publishedAt: new Date(Date.UTC(2025, 5, 3)), body: mediaBytes(10) }],
  });
  server.setMedia(`/watch?v=${videoId}`, {
    contentType: 'text/html; charset=utf-8',
    body: Buffer.from(`<!DOCTYPE html><html><head><title>Embedded</title></head><body>
<video controls><source src="${mediaUrl}" type="video/mp4"></video></body></html>`),
  });
  await runCrawl(parker, { channel: name, url: `https://www.youtube.com/@${handle}`, backfill: 5 });
  const [video] = await settledVideos(parker.db, name);
  return { video: video!, attempts: server.stats(`/watch?v=${videoId}`).requests };
}

describe('yt-dlp under the address policy, real yt-dlp through the worker\'s proxy', () => {
  test('media on an allowed address still downloads, through the proxy', async () => {
    const body = mediaBytes(200_000);
    const path = `/${uniqueName('allowed')}/clip.mp4`;
    server.setMedia(path, { body, contentType: 'video/mp4', etag: '"allowed"' });
    const { video } = await videoEmbedding(server.url(path));
    assert.equal(video.status, 'downloaded', video.reason);
    assert.equal(sha256(await readFile(video.filePath!)), sha256(body));
  });

  test('media at the cloud metadata address is refused, with the address in the reason, without a retry', async () => {
    const { video, attempts } = await videoEmbedding('http://169.254.169.254/latest/meta-data/clip.mp4');
    assert.equal(video.status, 'failed');
    assert.equal(attempts, 1, 'one attempt: a refusal is final');
    assert.match(video.reason!, /Parker refused 169\.254\.169\.254:80: 169\.254\.169\.254 is a link-local address/);
    assert.match(video.reason!, /address policy/);
  });

  test('media on a loopback port that is not allow-listed is refused, and nothing connects there', async () => {
    const before = connectionsToForbidden;
    const { video, attempts } = await videoEmbedding(`http://127.0.0.2:${forbiddenPort}/clip.mp4`);
    assert.equal(video.status, 'failed');
    assert.equal(attempts, 1, 'one attempt: a refusal is final');
    assert.match(video.reason!, new RegExp(`Parker refused 127\\.0\\.0\\.2:${forbiddenPort}: 127\\.0\\.0\\.2 is a loopback address`));
    assert.equal(connectionsToForbidden, before, 'no connection reached 127.0.0.2');
  });

  test('a redirect from an allowed address to a refused one is refused too', async () => {
    const before = connectionsToForbidden;
    const path = `/${uniqueName('hop')}/clip.mp4`;
    server.setRedirect(path, `http://127.0.0.2:${forbiddenPort}/clip.mp4`);
    const { video } = await videoEmbedding(server.url(path));
    assert.equal(video.status, 'failed');
    assert.match(video.reason!, /127\.0\.0\.2 is a loopback address/);
    assert.equal(connectionsToForbidden, before, 'no connection reached 127.0.0.2');
  });
});

/** Sends `CONNECT <authority>` to the proxy; the status line, and the socket when it is 200. */
function connectThrough(proxy: ForwardProxy, authority: string): Promise<{ status: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(proxy.url);
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      resolve({ status: received.slice(0, received.indexOf('\r\n')), socket });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('the forward proxy on its own: CONNECT tunnels', () => {
  let proxy: ForwardProxy;
  const refusals: string[] = [];
  before(async () => {
    proxy = await startForwardProxy({ policy: new AddressPolicy(['127.0.0.1']), onRefused: (target, reason) => refusals.push(`${target} ${reason}`) });
  });
  after(() => proxy.close());

  test('a tunnel to an allowed address carries the bytes both ways', async () => {
    const path = `/${uniqueName('tunnel')}/clip.mp4`;
    server.setMedia(path, { body: Buffer.from('through the tunnel'), contentType: 'video/mp4' });
    const { status, socket } = await connectThrough(proxy, new URL(server.origin).host);
    assert.equal(status, 'HTTP/1.1 200 Connection Established');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.once('close', () => resolve(text));
    });
    assert.match(answer, /^HTTP\/1\.1 200[\s\S]*through the tunnel$/);
  });

  test('a tunnel to a refused address or name is answered 403 with the reason, and nothing connects', async () => {
    const before = connectionsToForbidden;
    for (const [authority, reason] of [
      [`127.0.0.2:${forbiddenPort}`, /^HTTP\/1\.1 403 Parker refused 127\.0\.0\.2:\d+: 127\.0\.0\.2 is a loopback address/],
      ['169.254.169.254:443', /^HTTP\/1\.1 403 Parker refused 169\.254\.169\.254:443: 169\.254\.169\.254 is a link-local address/],
      // A name is judged by the address it resolves to.
      [`localhost.:${forbiddenPort}`, /^HTTP\/1\.1 403 Parker refused localhost\.:\d+: (?:127\.0\.0\.1|::1) is a loopback address|^HTTP\/1\.1 502/],
      ['[::1]:443', /^HTTP\/1\.1 403 Parker refused ::1:443: ::1 is a loopback address/],
    ] as const) {
      const { status, socket } = await connectThrough(proxy, authority);
      socket.destroy();
      assert.match(status, reason, authority);
    }
    assert.equal(connectionsToForbidden, before);
    assert.ok(refusals.some((line) => line.startsWith('169.254.169.254:443 ')), refusals.join('\n'));
  });
});
