// Shapes of the maintenance's upgrade step (src/workflows/upgrade.ts). Sandbox-safe: small JSON only.

import type { DownloadedMedia, DownloadOptions, MediaFormat } from './download.ts';

/** A channel with `upgrade:` in channels.yaml, as the upgrade step checks it. */
export interface ChannelUpgradePlan {
  channel: string;
  /** `upgrade.within`: how long after its download a video is still checked. */
  withinMs: number;
  /** The channel's download settings: a better format is looked for, and fetched, with them. */
  download?: DownloadOptions;
}

/** A downloaded video due for a check, with the format its file holds. */
export interface UpgradeCandidate {
  externalId: string;
  format: MediaFormat;
}

/** Where an upgrade goes: beside the video's file, paths relative to the download folder of the host. */
export interface UpgradeTarget {
  mediaUrl: string;
  relativeStem: string;
  /** The extension of the file the upgrade replaces (a better format may come in another container). */
  currentExt: string;
  /** The sha256 of the file it replaces: the row is swapped only while it still says this. */
  currentSha256: string;
  /** The format the file holds, and the better one to fetch. */
  from: MediaFormat;
  to: MediaFormat;
}

/** What checking one video found: a better format and where its download goes, or none. */
export type UpgradeCheck =
  | { better: true; target: UpgradeTarget; claimTaskQueue: string }
  | { better: false; offered?: MediaFormat };

/** What the host's download of a better format hands to the swap. */
export type UpgradeMedia = DownloadedMedia & { ext: string; filePath: string };

export interface UpgradedVideo {
  externalId: string;
  from: MediaFormat;
  to: MediaFormat;
}

/** What the upgrade step did for one channel (in a dry run: found, downloaded nothing). */
export interface ChannelUpgradeReport {
  channel: string;
  /** Videos whose format was asked about. */
  checked: number;
  /** Replaced by a better format (dry run: would be). */
  upgraded: UpgradedVideo[];
  /** Checks or upgrades that failed, with the reason; tried again the next day. */
  failed: Array<{ externalId: string; reason: string }>;
}
