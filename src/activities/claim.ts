import type { Db } from '../db/connect.ts';
import { takeTurn } from '../db/turns.ts';
import type { ClaimedHost, DownloadHost } from '../shared/download.ts';

// The shared downloads queue (`<queue>-downloads`, or `…:<site>`): every worker polls it
// while it has a transfer slot free, so whichever host has one first takes the transfer.

export interface ClaimActivityDeps {
  /** This worker's host, to which the transfers it claims are pinned. */
  host: DownloadHost;
  /** The queue is rate-limited (a site's `per_minute`): each claim takes the site's next turn for its transfer. */
  turns?: { db: Db; site: string; intervalMs: number };
}

export function createClaimActivities({ host, turns }: ClaimActivityDeps) {
  return {
    /** Answered by whichever host picks it up: that host takes the transfer. */
    async claimDownloadHost(): Promise<ClaimedHost> {
      return turns ? { ...host, startAt: await takeTurn(turns.db, turns.site, turns.intervalMs) } : host;
    },
  };
}

export type ClaimActivities = ReturnType<typeof createClaimActivities>;
