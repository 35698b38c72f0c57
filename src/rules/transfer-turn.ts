// How a site's `per_minute` holds at the moment the site is asked, not only at the claim.
// Temporal hands out a rate-limited site's claims at about the site's rate, across all
// workers (the claim queue's maxTaskQueueActivitiesPerSecond), but its token bucket may
// hand out a burst, and between a claim and its transfer's first request lie a workflow
// task and a cooldown check whose delays vary with load. Claims a rate apart could still
// reach the site together. So each claim takes the site's next turn from the database,
// which every worker shares: a start one interval after the last start given, and no
// sooner than a fixed lead from now. Starts are then an interval apart whatever the
// delays. A transfer that arrives after its start has missed its turn: it claims a new
// one rather than start out of turn.

/**
 * From claim to start. It covers the claim → workflow task → cooldown check → workflow task
 * → host poll chain (RELIABILITY.md has measurements). Each claimed transfer holds its host
 * slot that much longer, so a site's transfers are at most hosts × concurrency per
 * (lead + transfer time).
 */
export const TRANSFER_TURN_LEAD_MS = 3_000;

/** A download whose transfers missed their turn this many times fails (transiently: a later crawl tries again). */
export const MAX_MISSED_TURNS = 20;

/** The time between two starts on a site limited to `perMinute`, rounded up so the rate is never passed. */
export function turnIntervalMs(perMinute: number): number {
  return Math.ceil(60_000 / perMinute);
}

/** The next start on a site: an interval after the last one given, and no sooner than the lead from now. */
export function nextTurnAt(lastTurnAtMs: number, nowMs: number, intervalMs: number, leadMs: number = TRANSFER_TURN_LEAD_MS): number {
  return Math.max(lastTurnAtMs + intervalMs, nowMs + leadMs);
}

/** How long the transfer waits for its start, or `missed` when that has passed. */
export function waitForTurnMs(startAtMs: number, nowMs: number): number | 'missed' {
  return nowMs > startAtMs ? 'missed' : startAtMs - nowMs;
}
