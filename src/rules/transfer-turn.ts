// How a site's `per_minute` holds at the moment the site is asked, not only at the claim.
// Temporal hands out a rate-limited site's claims at the site's rate, across all workers
// (the claim queue's maxTaskQueueActivitiesPerSecond). Between a claim and its transfer's
// first request lie a workflow task and a cooldown check, whose delays vary with load, so
// claims a rate apart could still reach the site together. So a claim gives its transfer
// a start: the claim's own time plus a fixed lead, on the host that claimed it (the
// transfer runs there, on the same clock). Starts then keep the spacing Temporal gave
// the claims. A transfer that arrives after its start has missed its turn: it claims a
// new one rather than start out of turn.

/**
 * From claim to start. It covers the claim → workflow task → cooldown check → workflow task
 * → host poll chain (RELIABILITY.md has measurements). Each claimed transfer holds its host
 * slot that much longer, so a site's transfers are at most hosts × concurrency per
 * (lead + transfer time).
 */
export const TRANSFER_TURN_LEAD_MS = 3_000;

/** A download whose transfers missed their turn this many times fails (transiently: a later crawl tries again). */
export const MAX_MISSED_TURNS = 20;

/** The start a claim made now gives its transfer. */
export function turnStartAt(claimedAtMs: number, leadMs: number = TRANSFER_TURN_LEAD_MS): number {
  return claimedAtMs + leadMs;
}

/** How long the transfer waits for its start, or `missed` when that has passed. */
export function waitForTurnMs(startAtMs: number, nowMs: number): number | 'missed' {
  return nowMs > startAtMs ? 'missed' : startAtMs - nowMs;
}
