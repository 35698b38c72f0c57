import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { lookup, type LookupAddress } from 'node:dns';
import type { AddressPolicy } from './address-policy.ts';

// A forward proxy on 127.0.0.1 for yt-dlp (`--proxy`), so that every connection it makes
// (pages, redirects, media, fragments, ffmpeg's) is held to the address policy Parker's
// own HTTP client follows: a feed entry or a redirect cannot make yt-dlp fetch from the
// machine's own services or the cloud metadata address.
//
// Built on node:http rather than a proxy library: the maintained one (`proxy`) only lets
// a hook accept or reject a request, then resolves the name again itself to connect, so a
// DNS answer that changes between the two (rebinding) would get past the check. Here the
// name is resolved once, every address checked, and the connection made to a checked one.
//
// https goes through CONNECT (a tunnel to host:port); http as an absolute-URI request
// (`GET http://host/path`), forwarded with its headers. A refusal answers 403 with the
// reason in the status line, which yt-dlp prints in its error ("Tunnel connection failed:
// 403 Parker refused …", "HTTP Error 403: Parker refused …"); src/ytdlp/classify.ts
// reads it back as a refusal.

/** Starts every reason phrase of a refusal; src/ytdlp/classify.ts matches it. */
export const REFUSAL_PREFIX = 'Parker refused';

/** A tunnel or upstream connection with no traffic for this long is closed. */
const IDLE_TIMEOUT_MS = 5 * 60_000;
const CONNECT_TIMEOUT_MS = 15_000;

/** Headers that belong to one hop (RFC 9110 7.6.1), not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for yt-dlp's `--proxy`. */
  readonly url: string;
  /** Stops listening and ends every open tunnel. */
  close(): Promise<void>;
}

export interface ForwardProxyOptions {
  policy: AddressPolicy;
  /** Called once per refused connection with the host and why (for the worker's log). */
  onRefused?(target: string, reason: string): void;
}

type Resolved = { addresses: LookupAddress[] } | { refused: string } | { failed: string };

/** Resolves once and checks every address (one refused address refuses the name, as in the HTTP client). */
function resolve(policy: AddressPolicy, host: string): Promise<Resolved> {
  return new Promise((done) => {
    lookup(host, { all: true }, (error, addresses) => {
      if (error) return done({ failed: `${host} does not resolve (${error.code ?? error.message})` });
      const refused = addresses.map((entry) => policy.refusal(entry.address)).find(Boolean);
      done(refused ? { refused } : { addresses });
    });
  });
}

/** Connects to the first checked address that answers. */
function connectTo(addresses: LookupAddress[], port: number): Promise<net.Socket> {
  return new Promise((done, fail) => {
    const attempt = (index: number, lastError?: Error) => {
      const address = addresses[index];
      if (!address) return fail(lastError ?? new Error('no address'));
      const socket = net.connect({ host: address.address, port, family: address.family, timeout: CONNECT_TIMEOUT_MS });
      const onError = (error: Error) => {
        socket.destroy();
        attempt(index + 1, error);
      };
      socket.once('error', onError);
      socket.once('timeout', () => onError(new Error(`connect to ${address.address}:${port} timed out`)));
      socket.once('connect', () => {
        socket.removeListener('error', onError);
        socket.removeAllListeners('timeout');
        socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
        done(socket);
      });
    };
    attempt(0);
  });
}

/** A status line's reason phrase: one line of printable ASCII. */
function phrase(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 300);
}

/** `host:port`, `[::1]:443` → host and port; undefined when it is not that. */
function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]/\s]+)):(\d{1,5})$/i.exec(authority);
  const port = Number(match?.[3]);
  if (!match || !port || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

export async function startForwardProxy(options: ForwardProxyOptions): Promise<ForwardProxy> {
  const { policy } = options;
  const tunnels = new Set<Duplex>();

  /** Resolves and checks `host`, or answers the refusal (403) or the failure (502) itself. */
  async function checked(host: string, port: number, refuse: (status: number, reason: string) => void) {
    const resolved = await resolve(policy, host);
    if ('addresses' in resolved) return resolved.addresses;
    if ('refused' in resolved) {
      options.onRefused?.(`${host}:${port}`, resolved.refused);
      refuse(403, `${REFUSAL_PREFIX} ${host}:${port}: ${resolved.refused}`);
    } else {
      refuse(502, resolved.failed);
    }
    return undefined;
  }

  async function proxyRequest(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const refuse = (status: number, reason: string) => {
      response.writeHead(status, phrase(reason), { 'content-type': 'text/plain', connection: 'close' }).end(`${reason}\n`);
    };
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      return refuse(400, 'a proxy request needs an absolute http:// URL');
    }
    if (target.protocol !== 'http:') return refuse(400, `${target.protocol} is not proxied as a request (https goes through CONNECT)`);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(target.port || 80);
    const addresses = await checked(host, port, refuse);
    if (!addresses) return;
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    headers.host = target.host;
    let upstream: net.Socket;
    try {
      upstream = await connectTo(addresses, port);
    } catch (error) {
      return refuse(502, `cannot connect to ${target.host}: ${(error as Error).message}`);
    }
    const forwarded = http.request({ createConnection: () => upstream, method: request.method, path: `${target.pathname}${target.search}`, headers });
    forwarded.once('response', (answer) => {
      const answerHeaders: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) answerHeaders[name] = value;
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answerHeaders);
      answer.pipe(response);
    });
    forwarded.once('error', (error) => {
      if (!response.headersSent) refuse(502, `${target.host}: ${error.message}`);
      else response.destroy();
    });
    response.once('close', () => upstream.destroy());
    request.pipe(forwarded);
  }

  async function tunnel(request: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    tunnels.add(client);
    client.once('close', () => tunnels.delete(client));
    client.on('error', () => client.destroy());
    const answer = (status: number, reason: string): void => {
      client.end(`HTTP/1.1 ${status} ${phrase(reason)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    const authority = parseAuthority(request.url ?? '');
    if (!authority) return answer(400, 'CONNECT needs host:port');
    const addresses = await checked(authority.host, authority.port, answer);
    if (!addresses) return;
    let upstream: net.Socket;
    try {
      upstream = await connectTo(addresses, authority.port);
    } catch (error) {
      return answer(502, `cannot connect to ${request.url}: ${(error as Error).message}`);
    }
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    tunnels.add(upstream);
    upstream.once('close', () => {
      tunnels.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  }

  // Neither handler throws (each answers its own failures); a bug still only ends that connection.
  const server = http.createServer((request, response) => {
    proxyRequest(request, response).catch(() => response.destroy());
  });
  server.on('connect', (request: http.IncomingMessage, client: Duplex, head: Buffer) => {
    tunnel(request, client, head).catch(() => client.destroy());
  });

  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => listening());
  });
  // Never what keeps a process alive: a worker's proxy serves until the process ends.
  server.unref();
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((closed) => {
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
