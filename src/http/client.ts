import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { HttpStatusError, NetworkError, ParkerError } from '../errors.ts';

// One HTTP client for feeds and media: redirects followed (podcast hosts chain several
// tracking redirects), every phase timed out, bodies never decompressed (byte counts and
// ranges must refer to the file itself).

export const USER_AGENT = 'Parker/0.1 (channel archiver)';

/** No byte for this long means the connection is dead; the request fails and is retried. */
export const IDLE_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

const dispatcher: Dispatcher = new Agent({
  connectTimeout: 15_000,
  headersTimeout: IDLE_TIMEOUT_MS,
  bodyTimeout: IDLE_TIMEOUT_MS,
}).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * Throws away a body that will not be read, letting the connection be reused when the
 * rest is small; an unread or destroyed body would surface later as an unhandled error.
 */
export function discardBody(response: HttpResponse): void {
  response.body.dump({ limit: 64 * 1024 }).catch(() => {});
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value[0] : value;
  return flat;
}

/** GET a URL. Network failures become NetworkError; the status is left to the caller. */
export async function httpGet(
  url: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<HttpResponse> {
  try {
    const response = await request(url, {
      method: 'GET',
      dispatcher,
      signal: options.signal,
      headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...options.headers },
    });
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: response.body };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new NetworkError(url, { cause: error });
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
