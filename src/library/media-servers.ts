import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import type { MediaServerConfig } from '../config/channels.ts';

// Asking a media server to scan its library for new files, by each server's documented API:
//  - Jellyfin: POST /Library/Refresh, `Authorization: MediaBrowser Token="<api key>"`
//    (the header its API documentation recommends; the X-Emby-Token header is deprecated);
//  - Emby: POST /Library/Refresh with `X-Emby-Token: <api key>`;
//  - Plex: GET /library/sections/<id>/refresh?X-Plex-Token=<token>, per section (or `all`).
// The key or token is never part of an error message or a log line.

/** Thrown when a media server refuses or cannot be reached; retried by the activity's policy. */
export class MediaServerError extends Error {
  override name = 'MediaServerError';
}

const TIMEOUT_MS = 15_000;

async function secretOf(server: MediaServerConfig): Promise<string> {
  if ('value' in server.secret) return server.secret.value;
  try {
    const secret = (await readFile(server.secret.file, 'utf8')).trim();
    if (!secret) throw new Error('the file is empty');
    return secret;
  } catch (error) {
    throw new MediaServerError(`${server.kind} ${server.name}: cannot read its key from ${server.secret.file}: ${(error as Error).message}`);
  }
}

interface RefreshCall {
  method: 'GET' | 'POST';
  url: string;
  /** The URL as it may be shown: without the token. */
  shown: string;
  headers: Record<string, string>;
}

function refreshCalls(server: MediaServerConfig, secret: string): RefreshCall[] {
  switch (server.kind) {
    case 'jellyfin':
      return [{ method: 'POST', url: `${server.url}/Library/Refresh`, shown: `${server.url}/Library/Refresh`, headers: { authorization: `MediaBrowser Token="${secret}"` } }];
    case 'emby':
      return [{ method: 'POST', url: `${server.url}/Library/Refresh`, shown: `${server.url}/Library/Refresh`, headers: { 'x-emby-token': secret } }];
    case 'plex':
      return (server.sections ?? ['all']).map((section) => {
        const shown = `${server.url}/library/sections/${encodeURIComponent(section)}/refresh`;
        return { method: 'GET', url: `${shown}?X-Plex-Token=${encodeURIComponent(secret)}`, shown, headers: { accept: 'application/json' } };
      });
  }
}

/** Asks one server to refresh each of its libraries once; throws MediaServerError on the first refusal. */
export async function refreshLibraries(server: MediaServerConfig, signal?: AbortSignal): Promise<void> {
  const secret = await secretOf(server);
  for (const call of refreshCalls(server, secret)) {
    let status: number;
    try {
      const response = await request(call.url, {
        method: call.method,
        headers: call.headers,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      });
      status = response.statusCode;
      await response.body.dump();
    } catch (error) {
      throw new MediaServerError(`${server.kind} ${server.name}: ${call.method} ${call.shown} failed: ${(error as Error).message.replaceAll(secret, '***')}`);
    }
    if (status < 200 || status >= 300) throw new MediaServerError(`${server.kind} ${server.name}: ${call.method} ${call.shown} answered HTTP ${status}`);
  }
}
