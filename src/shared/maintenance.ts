// Shapes of the maintenance workflow (retention, verify, upgrade). Sandbox-safe: small JSON only.

import type { DownloadOptions } from './download.ts';
import type { ChannelUpgradeReport } from './upgrade.ts';

/**
 * A channel's retention rule: keep the newest `last` downloaded videos (newest by
 * publication date), or the videos downloaded within the last `days` days.
 */
export type KeepRule = { last: number } | { days: number };

/** One channel's retention rule, as the maintenance workflow receives it. */
export interface ChannelKeepRule {
  channel: string;
  keep: KeepRule;
}

/** What the verify step does about a downloaded file that is gone: fetch it again, or keep the row as a record. */
export const MISSING_POLICIES = ['redownload', 'keep-record'] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];

/** One channel as the verify step checks it, from channels.yaml. */
export interface ChannelVerifyPlan {
  channel: string;
  missing: MissingPolicy;
  /** The channel's download settings, for a download started again. */
  download?: DownloadOptions;
}

/** The maintenance's steps; all run unless `steps` names fewer. */
export const MAINTENANCE_STEPS = ['retention', 'verify', 'upgrade'] as const;
export type MaintenanceStep = (typeof MAINTENANCE_STEPS)[number];

/**
 * Input of the maintenance workflow: what its schedule passes (the rules from
 * channels.yaml) and what a person types (`{"dryRun":true}`). Without `channels`, the
 * workflow reads the rules from the worker's channels.yaml.
 */
export interface MaintenanceInput {
  channels?: ChannelKeepRule[];
  /** List what would be deleted (and, for verify, what would be marked or fetched again); change nothing. */
  dryRun?: boolean;
  /** Which steps run, in their fixed order (retention, verify, upgrade); default all. */
  steps?: MaintenanceStep[];
  /** Verify: hash every present file and compare with its stored sha256 too (slow, throttled). */
  sha256?: boolean;
}

/**
 * What the verify step found for one video whose file was not as recorded:
 * `moved`: found elsewhere inside the download folder by its sha256, row updated;
 * `missing`: gone, row marked `missing`; `changed`: there, but its size (or sha256)
 * differs: reported, left alone; `outside`: the row's path leads outside the download
 * folder: reported, never touched.
 */
export interface VerifiedVideo {
  id: number;
  externalId: string;
  filePath: string;
  verdict: 'moved' | 'missing' | 'changed' | 'outside';
  /** Where a moved file was found. */
  movedTo?: string;
  reason?: string;
}

/** What verifying one channel's files found (the verify activity's result). */
export interface ChannelVerifyResult {
  /** Rows checked (downloaded or missing, not deleted by retention). */
  checked: number;
  counts: Record<VerifiedVideo['verdict'], number>;
  /** The rows whose file was not as recorded, the first MAX_LISTED_FINDINGS of them. */
  found: VerifiedVideo[];
  /** Videos to download again (policy `redownload`), each with the id of its download workflow. */
  redownload: Array<{ externalId: string; workflowId: string }>;
}

/** Findings listed by name per channel; beyond this only counted, so the result stays small. */
export const MAX_LISTED_FINDINGS = 500;

export interface ChannelVerifyReport extends ChannelVerifyResult {
  channel: string;
  missing: MissingPolicy;
  /** Of `redownload`, the downloads this run started (a dry run starts none). */
  started: number;
}

/** A downloaded video that its channel's rule no longer keeps. */
export interface ExpiredVideo {
  id: number;
  externalId: string;
  filePath: string;
  /**
   * `delete`: its file is inside the download folder; `outside`: its file_path (or a
   * symlink on the way) leads outside the download folder, so it is reported, never touched.
   */
  verdict: 'delete' | 'outside';
  /** The files a delete removes (the video and its sidecars), when verdict is delete. */
  files: string[];
  /** Why an `outside` video is left alone. */
  reason?: string;
}

export interface ChannelMaintenanceReport {
  channel: string;
  keep: KeepRule;
  /** In a dry run, what would be deleted; otherwise what was deleted. */
  deleted: ExpiredVideo[];
  /** Rows whose file is outside the download folder: left alone, rows not marked. */
  refused: ExpiredVideo[];
}

/** What the maintenance workflow returns, shown as its result in the Web UI. */
export interface MaintenanceReport {
  dryRun: boolean;
  channels: ChannelMaintenanceReport[];
  /** The verify step's findings per channel of channels.yaml; empty when it did not run. */
  verified: ChannelVerifyReport[];
  /** The upgrade step's per channel with `upgrade:`; empty when it did not run. */
  upgraded: ChannelUpgradeReport[];
}
