import type { MediaFormat } from '../shared/download.ts';

// Quality upgrades: which downloaded videos a channel's upgrade check asks the site about,
// and whether the format it offers now is better than the one stored. Pure: sandbox-safe.

/** A video is asked about at most once in this long, however often the check runs. */
export const UPGRADE_CHECK_INTERVAL_MS = 24 * 3_600_000;

/** The shortest and longest `upgrade.within` a channel may set. */
export const UPGRADE_WITHIN_LIMITS = { min: 3_600_000, max: 365 * 24 * 3_600_000, examples: '7d, 48h or 30d' };

/**
 * The rows an upgrade check looks at: downloaded since `downloadedSince` (within the
 * channel's `within`), and not asked about since `checkedBefore`.
 */
export function upgradeWindow(now: Date, withinMs: number): { downloadedSince: Date; checkedBefore: Date } {
  return { downloadedSince: new Date(now.getTime() - withinMs), checkedBefore: new Date(now.getTime() - UPGRADE_CHECK_INTERVAL_MS) };
}

/**
 * Whether the format the site offers now is better than the stored one: a greater height.
 * A format whose height either side does not know (audio, a direct link) is never taken
 * as better: there is nothing to compare, and a download to find out costs the whole file.
 */
export function isBetterFormat(stored: MediaFormat, offered: MediaFormat): boolean {
  if (offered.id === stored.id) return false;
  if (stored.height === undefined || offered.height === undefined) return false;
  return offered.height > stored.height;
}
