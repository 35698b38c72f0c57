import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { getCooldownUntil, getDiskFullUntil, recordCooldown, recordDiskFull } from '../db/cooldowns.ts';

// The pauses' I/O: the per-site cooldown, and the per-host pause of a full download
// folder. The workflow asks before a transfer how long either still runs, and starts one
// when a transfer was throttled or found the disk full; the waiting itself is a durable
// timer in the workflow, so it survives restarts and holds no worker slot.

export interface CooldownActivityDeps {
  db: Db;
  /** How long a throttled site is left alone (PARKER_SITE_COOLDOWN). */
  siteCooldownMs: number;
  /** How long a host whose download folder is full takes no transfer (PARKER_DISK_FULL_PAUSE). */
  diskFullPauseMs: number;
}

/** The site a media URL belongs to: its host name, lower case. */
export function siteOf(mediaUrl: string): string {
  return new URL(mediaUrl).hostname.toLowerCase();
}

export interface SiteCooldown {
  site: string;
  /** How much longer the cooldown (or the host's disk-full pause) runs; 0 when there is none. */
  waitMs: number;
}

function remainingMs(until: Date | undefined): number {
  return until ? Math.max(0, until.getTime() - Date.now()) : 0;
}

export function createCooldownActivities({ db, siteCooldownMs, diskFullPauseMs }: CooldownActivityDeps) {
  return {
    /**
     * How long downloads from this URL's site must still wait; with `hostId`, also while
     * that host's download folder is paused as full. (One activity for both, so that the
     * histories of downloads started before the disk-full pause replay as they ran.)
     */
    async checkSiteCooldown(input: { mediaUrl: string; hostId?: string }): Promise<SiteCooldown> {
      const site = siteOf(input.mediaUrl);
      const siteWait = remainingMs(await getCooldownUntil(db, site));
      const diskWait = input.hostId ? remainingMs(await getDiskFullUntil(db, input.hostId)) : 0;
      return { site, waitMs: Math.max(siteWait, diskWait) };
    },

    /** The site throttled a download: pause every download from it for the configured time. */
    async startSiteCooldown(input: { mediaUrl: string; reason: string }): Promise<SiteCooldown> {
      const site = siteOf(input.mediaUrl);
      const until = await recordCooldown(db, site, new Date(Date.now() + siteCooldownMs), input.reason);
      Context.current().log.warn('site throttled a download: downloads from it pause', { site, until: until.toISOString() });
      return { site, waitMs: remainingMs(until) };
    },

    /** A transfer found the host's download folder full: pause the host's transfers for the configured time. */
    async startDiskFullPause(input: { hostId: string; reason: string }): Promise<{ waitMs: number }> {
      const until = await recordDiskFull(db, input.hostId, new Date(Date.now() + diskFullPauseMs), input.reason);
      Context.current().log.warn('the download folder is full: new transfers on this host wait', {
        hostId: input.hostId,
        until: until.toISOString(),
        reason: input.reason,
      });
      return { waitMs: remainingMs(until) };
    },
  };
}

export type CooldownActivities = ReturnType<typeof createCooldownActivities>;
