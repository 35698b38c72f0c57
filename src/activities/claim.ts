import type { ClaimedHost, DownloadHost } from '../shared/download.ts';
import { turnStartAt } from '../rules/transfer-turn.ts';

// The shared downloads queue (`<queue>-downloads`, or `…:<site>`): every worker polls it
// while it has a transfer slot free, so whichever host has one first takes the transfer.

export interface ClaimActivityDeps {
  /** This worker's host, to which the transfers it claims are pinned. */
  host: DownloadHost;
  /** The queue is rate-limited (a site's `per_minute`): each claim gives its transfer a start. */
  givesTurns: boolean;
}

export function createClaimActivities({ host, givesTurns }: ClaimActivityDeps) {
  return {
    /** Answered by whichever host picks it up: that host takes the transfer. */
    async claimDownloadHost(): Promise<ClaimedHost> {
      return givesTurns ? { ...host, startAt: turnStartAt(Date.now()) } : host;
    },
  };
}

export type ClaimActivities = ReturnType<typeof createClaimActivities>;
