import { Agent, request } from 'undici';
import { HttpStatusError, NetworkError } from '../errors.ts';
import { USER_AGENT } from '../http/client.ts';
import type { VideoNotification } from '../shared/notify.ts';

// A webhook notification: one JSON POST. The URL is the operator's own, from channels.yaml,
// often a service on the home network, so the worker's address policy (which guards
// against addresses a feed names) does not apply; the timeouts do.

/** A webhook that does not answer within this long has failed this attempt. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

const dispatcher = new Agent({ connect: { timeout: WEBHOOK_TIMEOUT_MS }, headersTimeout: WEBHOOK_TIMEOUT_MS, bodyTimeout: WEBHOOK_TIMEOUT_MS });

/** POSTs the notification as JSON; a 4xx or 5xx answer, or no answer, throws. */
export async function sendWebhook(url: string, notification: VideoNotification, signal?: AbortSignal): Promise<void> {
  let status: number;
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher,
      signal,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body: JSON.stringify(notification),
    });
    status = response.statusCode;
    await response.body.dump({ limit: 64 * 1024 });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new NetworkError(url, { cause: error });
  }
  if (status >= 400) throw new HttpStatusError(url, status);
}
