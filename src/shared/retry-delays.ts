// Retry delays that activities set on their failures. Sandbox-safe: no I/O.

/**
 * How long a listing waits after the site throttled it (HTTP 429, "confirm you're not a
 * bot"): 15m, 30m, 1h, then 2h between attempts. Retrying at the usual pace would only
 * prolong the block. (A throttled download waits out its site's cooldown instead.)
 */
export function rateLimitRetryDelayMs(attempt: number): number {
  const first = 15 * 60_000;
  const max = 2 * 3_600_000;
  return Math.min(max, first * 2 ** Math.max(0, attempt - 1));
}
