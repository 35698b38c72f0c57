import type { DownloadHost } from '../shared/download.ts';

// The shared downloads queue (`<queue>-downloads`): every worker polls it with as many
// slots as it allows downloads, so whichever host has a free slot first takes the transfer.

export interface ClaimActivityDeps {
  /** This worker's host, to which the transfers it claims are pinned. */
  host: DownloadHost;
}

export function createClaimActivities({ host }: ClaimActivityDeps) {
  return {
    /** Answered by whichever host picks it up: that host takes the transfer. */
    async claimDownloadHost(): Promise<DownloadHost> {
      return host;
    },
  };
}

export type ClaimActivities = ReturnType<typeof createClaimActivities>;
