// Shapes of the maintenance workflow (retention). Sandbox-safe: small JSON only.

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

/**
 * Input of the maintenance workflow: what its schedule passes (the rules from
 * channels.yaml) and what a person types (`{"dryRun":true}`). Without `channels`, the
 * workflow reads the rules from the worker's channels.yaml.
 */
export interface MaintenanceInput {
  channels?: ChannelKeepRule[];
  /** List what would be deleted, delete nothing. */
  dryRun?: boolean;
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
}
