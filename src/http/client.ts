import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { HttpStatusError, NetworkError, ParkerError, RefusedUrlError } from '../errors.ts';
import { AddressPolicy } from './address-policy.ts';

// One HTTP client for feeds and media: every phase timed out, bodies never decompressed
// (byte counts and ranges must refer to the file itself), and redirects followed hop by
// hop here rather than inside undici, so that each hop is checked: http(s) only, no
// loops, at most five, and no address the policy refuses.

export const USER_AGENT = 'Parker/0.1 (channel archiver)';

/** No byte for this long means the connection is dead; the request fails and is retried. */
export const IDLE_TIMEOUT_MS = 30_000;
export const CONNECT_TIMEOUT_MS = 15_000;
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface HttpResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  headers: Record<string, string | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * Throws away a body that will not be read, letting the connection be reused when the
 * rest is small; an unread or destroyed body would surface later as an unhandled error.
 */
export function discardBody(response: { body: Dispatcher.ResponseData['body'] }): void {
  response.body.dump({ limit: 64 * 1024 }).catch(() => {});
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value[0] : value;
  return flat;
}

/** Refuses a URL Parker must not fetch: another scheme, or a special address written literally. */
function checkUrl(policy: AddressPolicy, url: URL, original: string): void {
  const via = url.href === original ? '' : ` (redirected from ${original})`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedUrlError(`refusing ${url.protocol} URL ${url.href.slice(0, 200)}${via}: only http and https are fetched`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const refused = isIP(host) ? policy.refusal(host) : undefined;
  if (refused) throw new RefusedUrlError(`refusing ${url.href}${via}: ${refused}`);
}

/** The ParkerError behind an undici failure (the lookup's refusal), if there is one. */
function refusalIn(error: unknown): ParkerError | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EPARKERBLOCKED') return new RefusedUrlError(cause.message);
  }
  return undefined;
}

export interface HttpGetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Bytes of body buffered before the socket is paused (undici's default: 64 KiB). */
  highWaterMark?: number;
}

/** The one HTTP client of a worker, handed to every source and downloader that fetches. */
export interface HttpClient {
  /** GET a URL, following redirects. Network failures become NetworkError; the status is left to the caller. */
  get(url: string, options?: HttpGetOptions): Promise<HttpResponse>;
}

/**
 * Builds the client with its address policy (which special addresses may be reached).
 * The worker builds one at start and hands it down; a test builds its own.
 */
export function createHttpClient({ addressPolicy }: { addressPolicy: AddressPolicy }): HttpClient {
  const dispatcher: Dispatcher = new Agent({
    headersTimeout: IDLE_TIMEOUT_MS,
    bodyTimeout: IDLE_TIMEOUT_MS,
    // Every name is resolved through the policy, so a DNS name cannot lead to a private address.
    connect: { timeout: CONNECT_TIMEOUT_MS, lookup: (...args) => addressPolicy.lookup(...args) },
  });
  return { get: (url, options = {}) => get(addressPolicy, dispatcher, url, options) };
}

async function get(
  policy: AddressPolicy,
  dispatcher: Dispatcher,
  url: string,
  options: HttpGetOptions,
): Promise<HttpResponse> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new RefusedUrlError(`"${url.slice(0, 200)}" is not a URL`);
  }
  const visited = new Set<string>();
  for (let hop = 0; ; hop++) {
    checkUrl(policy, current, url);
    visited.add(current.href);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(current, {
        method: 'GET',
        dispatcher,
        signal: options.signal,
        highWaterMark: options.highWaterMark,
        headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...options.headers },
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw refusalIn(error) ?? new NetworkError(current.href, { cause: error });
    }
    const headers = flattenHeaders(response.headers);
    if (!REDIRECT_STATUSES.has(response.statusCode) || !headers.location) {
      return { status: response.statusCode, url: current.href, headers, body: response.body };
    }
    discardBody(response);
    let next: URL;
    try {
      next = new URL(headers.location, current);
    } catch {
      throw new RefusedUrlError(`${current.href} redirected to "${headers.location.slice(0, 200)}", which is not a URL`);
    }
    if (visited.has(next.href)) throw new RefusedUrlError(`redirect loop: ${current.href} leads back to ${next.href}`);
    if (hop + 1 > MAX_REDIRECTS) throw new RefusedUrlError(`${url}: more than ${MAX_REDIRECTS} redirects`);
    current = next;
  }
}

/** Throws HttpStatusError for any status outside 2xx, after discarding the body. */
export async function expectSuccess(url: string, response: HttpResponse): Promise<void> {
  if (response.status >= 200 && response.status < 300) return;
  discardBody(response);
  throw new HttpStatusError(url, response.status);
}

/** Reads a whole body, refusing more than maxBytes (a feed is text, not a film). */
export async function readBodyCapped(
  url: string,
  body: Readable,
  maxBytes: number,
  onTooLarge: (limit: number) => ParkerError,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        body.destroy();
        throw onTooLarge(maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof ParkerError) throw error;
    throw new NetworkError(url, { cause: error });
  }
  return Buffer.concat(chunks);
}
