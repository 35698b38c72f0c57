import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { startDemoServer, type DemoServer } from '../../src/demo/server.ts';

// The server `npm run demo` ships with, over real HTTP on 127.0.0.1: what it promises a
// client (200 with length, type and ETag; 404 for the rest) and that close() returns
// while a download is still in flight, and drops it. test/integration/demo.test.ts
// proves Parker downloads the demo podcast from it.

const servers: DemoServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function started(preferredPort = 0): Promise<DemoServer> {
  const server = await startDemoServer(preferredPort);
  servers.push(server);
  return server;
}

test('a published path answers 200 with its bytes, Content-Length, Content-Type and a strong ETag', async () => {
  const server = await started();
  const episode = Buffer.from('not really an mp3');
  server.publish('/demo/episode-1.mp3', 'audio/mpeg', episode);

  const response = await fetch(server.url('/demo/episode-1.mp3'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'audio/mpeg');
  assert.equal(response.headers.get('content-length'), String(episode.length));
  assert.match(response.headers.get('etag') ?? '', /^"[\w-]+"$/);
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), episode);

  const head = await fetch(server.url('/demo/episode-1.mp3'), { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(episode.length));
  assert.equal(head.headers.get('etag'), response.headers.get('etag'));
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

test('a range or a matching ETag still gets the whole file: the demo server ignores both', async () => {
  const server = await started();
  const episode = Buffer.from('0123456789');
  server.publish('/demo/episode-1.mp3', 'audio/mpeg', episode);
  const etag = (await fetch(server.url('/demo/episode-1.mp3'))).headers.get('etag')!;

  const response = await fetch(server.url('/demo/episode-1.mp3'), { headers: { range: 'bytes=4-', 'if-none-match': etag } });
  assert.equal(response.status, 200);
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), episode);
});

test('publishing other bytes at a path serves them with a new ETag', async () => {
  const server = await started();
  server.publish('/demo/feed.xml', 'application/rss+xml; charset=utf-8', Buffer.from('<rss>one</rss>'));
  const first = await fetch(server.url('/demo/feed.xml'));
  await first.arrayBuffer();
  server.publish('/demo/feed.xml', 'application/rss+xml; charset=utf-8', Buffer.from('<rss>two</rss>'));
  const second = await fetch(server.url('/demo/feed.xml'));
  assert.equal(await second.text(), '<rss>two</rss>');
  assert.notEqual(second.headers.get('etag'), first.headers.get('etag'));
});

test('an unpublished path, and any method but GET and HEAD, answer 404', async () => {
  const server = await started();
  server.publish('/demo/feed.xml', 'application/rss+xml; charset=utf-8', Buffer.from('<rss/>'));
  const missing = await fetch(server.url('/demo/episode-9.mp3'));
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
  const post = await fetch(server.url('/demo/feed.xml'), { method: 'POST', body: 'x' });
  assert.equal(post.status, 404);
  await post.arrayBuffer();
});

test('it listens on 127.0.0.1 at the preferred port, or at another when that one is taken', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const taken = (holder.address() as AddressInfo).port;
  try {
    const server = await started(taken);
    server.publish('/demo/feed.xml', 'application/rss+xml; charset=utf-8', Buffer.from('<rss/>'));
    const url = new URL(server.url('/demo/feed.xml'));
    assert.equal(url.hostname, '127.0.0.1');
    assert.notEqual(Number(url.port), taken);
    assert.equal((await fetch(url)).status, 200);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }

  const preferred = await started(taken); // free again, now that the holder has closed
  assert.equal(new URL(preferred.url('/')).port, String(taken));
});

test('close() drops a download still in flight', { timeout: 10_000 }, async () => {
  const server = await startDemoServer(0);
  const size = 32 * 1024 * 1024;
  server.publish('/demo/episode-1.mp3', 'audio/mpeg', Buffer.alloc(size));
  const { port } = new URL(server.url('/'));
  // A client that reads the first bytes and then stops reading, so that the server cannot finish.
  const client = connect(Number(port), '127.0.0.1');
  client.write(`GET /demo/episode-1.mp3 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`);
  let received = 0;
  client.on('data', (chunk: Buffer) => {
    received += chunk.length;
    client.pause();
  });
  await new Promise((resolve) => client.once('data', resolve));
  const ended = new Promise((resolve) => client.once('close', resolve));
  await server.close();
  client.removeAllListeners('data').on('data', (chunk: Buffer) => (received += chunk.length)).resume();
  await ended;
  assert.ok(received < size, `the whole file arrived after close() (${received} bytes)`);
});
