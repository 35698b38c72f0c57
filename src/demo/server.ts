import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The demo podcast's web server, on 127.0.0.1 only: each published path answers GET and
// HEAD with 200, its bytes, Content-Length, Content-Type and an ETag; anything else is a
// 404. It ignores Range and conditional requests, which HTTP allows: a client that asks
// for part of a file, or whether it changed, gets the whole file. The tests have a server
// of their own, with faults on demand, which stays out of src/ and so out of the image.

const HOST = '127.0.0.1';

export interface DemoServer {
  /** An absolute URL on this server, such as http://127.0.0.1:8399/demo/feed.xml. */
  url(path: string): string;
  /** Serves these bytes at a path from now on, replacing what was there. */
  publish(path: string, contentType: string, body: Buffer): void;
  /** Stops listening and drops open connections, a download in flight included. */
  close(): Promise<void>;
}

interface PublishedFile {
  contentType: string;
  body: Buffer;
  etag: string;
}

/** A strong ETag from the bytes themselves, so that a changed feed gets a new one. */
function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts the server on `preferredPort` (so that the demo's URLs stay the same from one run
 * to the next), or on any free port when another program holds that one.
 */
export async function startDemoServer(preferredPort: number): Promise<DemoServer> {
  const files = new Map<string, PublishedFile>();
  const server = createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', `http://${HOST}`).pathname);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Node leaves the body out of the answer to a HEAD by itself.
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, etag: file.etag }).end(file.body);
  });
  try {
    await listen(server, preferredPort);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await listen(server, 0);
  }
  const { port } = server.address() as AddressInfo;
  const origin = `http://${HOST}:${port}`;
  return {
    url: (path) => `${origin}${path}`,
    publish(path, contentType, body) {
      files.set(path, { contentType, body, etag: etagOf(body) });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
