import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { getCooldownUntil, recordCooldown } from '../db/cooldowns.ts';

// The per-site cooldown's I/O. The workflow asks before a transfer how long the site's
// cooldown still runs, and starts one when a transfer was throttled; the waiting itself
// is a durable timer in the workflow, so it survives restarts and holds no worker slot.

export interface CooldownActivityDeps {
  db: Db;
  /** How long a throttled site is left alone (PARKER_SITE_COOLDOWN). */
  siteCooldownMs: number;
}

/** The site a media URL belongs to: its host name, lower case. */
export function siteOf(mediaUrl: string): string {
  return new URL(mediaUrl).hostname.toLowerCase();
}

export interface SiteCooldown {
  site: string;
  /** How much longer the cooldown runs; 0 when there is none. */
  waitMs: number;
}

export function createCooldownActivities({ db, siteCooldownMs }: CooldownActivityDeps) {
  return {
    /** How long downloads from this URL's site must still wait. */
    async checkSiteCooldown(input: { mediaUrl: string }): Promise<SiteCooldown> {
      const site = siteOf(input.mediaUrl);
      const until = await getCooldownUntil(db, site);
      return { site, waitMs: until ? Math.max(0, until.getTime() - Date.now()) : 0 };
    },

    /** The site throttled a download: pause every download from it for the configured time. */
    async startSiteCooldown(input: { mediaUrl: string; reason: string }): Promise<SiteCooldown> {
      const site = siteOf(input.mediaUrl);
      const until = await recordCooldown(db, site, new Date(Date.now() + siteCooldownMs), input.reason);
      Context.current().log.warn('site throttled a download: downloads from it pause', { site, until: until.toISOString() });
      return { site, waitMs: Math.max(0, until.getTime() - Date.now()) };
    },
  };
}

export type CooldownActivities = ReturnType<typeof createCooldownActivities>;
