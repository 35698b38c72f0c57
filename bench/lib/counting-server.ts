import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';

// A loopback file server that keeps a log of what it served: for each media request its
// Range, when it came and when the first body byte went out, and how many body bytes the
// kernel took from it (the socket's count, so bytes still queued in node when a client
// died are not counted as sent). Ranges are served as RFC 9110 says, with a strong ETag
// for If-Range, which is what Parker's resume needs; nginx logs a request only once it ends.

export interface ServedRequest {
  path: string;
  range?: string;
  /** The first byte of the body this response starts at. */
  start: number;
  arrivedAt: number;
  firstByteAt?: number;
  /** Body bytes handed to the kernel so far. */
  bodyBytes: number;
  ended: boolean;
}

export interface CountingServer {
  origin: string;
  requests: ServedRequest[];
  stop(): Promise<void>;
}

/** Paces a body to `bytesPerSecond`, as a site far away would send it. */
function paced(bytesPerSecond: number): Transform {
  const startedAt = Date.now();
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      passed += chunk.length;
      const dueAt = startedAt + (passed / bytesPerSecond) * 1000;
      setTimeout(() => callback(null, chunk), Math.max(0, dueAt - Date.now()));
    },
  });
}

/**
 * Serves `files` (URL path → file on disk) on a free 127.0.0.1 port; media bodies at
 * `bytesPerSecond` when set, else as fast as the client reads.
 */
export async function startCountingServer(files: Record<string, { file: string; contentType: string }>, bytesPerSecond?: number): Promise<CountingServer> {
  const requests: ServedRequest[] = [];
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entry = files[req.url ?? ''];
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    const { size, mtimeMs } = await stat(entry.file);
    const etag = `"${size}-${Math.floor(mtimeMs)}"`;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const start = range && (ifRange === undefined || ifRange === etag) ? Number(range[1]) : 0;
    if (start >= size && start > 0) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const log: ServedRequest = { path: req.url!, range: req.headers.range, start, arrivedAt: Date.now(), bodyBytes: 0, ended: false };
    requests.push(log);
    const headers = { 'content-type': entry.contentType, 'content-length': String(size - start), etag, 'accept-ranges': 'bytes' };
    if (start > 0) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${size - 1}/${size}` });
    else res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.flushHeaders();
    const socket = req.socket;
    // bytesWritten counts what waits in node's buffer too; less that, it is what the kernel took.
    const dispatched = () => socket.bytesWritten - socket.writableLength;
    const headerBytes = dispatched();
    const count = () => (log.bodyBytes = Math.max(0, dispatched() - headerBytes));
    const timer = setInterval(count, 20);
    // Paced bodies go in smaller steps, so the rate holds within a few milliseconds.
    const body = createReadStream(entry.file, { start, highWaterMark: bytesPerSecond ? 64 * 1024 : 1024 * 1024 });
    body.once('data', () => (log.firstByteAt = Date.now()));
    if (bytesPerSecond) body.pipe(paced(bytesPerSecond)).pipe(res);
    else body.pipe(res);
    res.once('close', () => {
      clearInterval(timer);
      count();
      log.ended = true;
      body.destroy();
    });
  };
  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => res.destroy(error as Error));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
