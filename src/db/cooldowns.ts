import type { Db } from './connect.ts';
import { fromDbTime, toDbTime } from './connect.ts';

// Per-site cooldowns. Several workers may record one for the same site at once; the
// latest end wins, so a cooldown is only ever extended, never cut short.

/** When the site's cooldown ends; undefined when it never had one. */
export async function getCooldownUntil(db: Db, site: string): Promise<Date | undefined> {
  const row = (await db('site_cooldowns').where({ site }).first('cooldown_until')) as { cooldown_until: string } | undefined;
  return fromDbTime(row?.cooldown_until);
}

/** Starts (or extends) the site's cooldown until `until`; returns the end now in force. */
export async function recordCooldown(db: Db, site: string, until: Date, reason: string, now = new Date()): Promise<Date> {
  return db.transaction(async (trx) => {
    const current = await getCooldownUntil(trx, site);
    if (current && current >= until) return current;
    const row = { cooldown_until: toDbTime(until), reason: reason.slice(0, 2000), updated_at: toDbTime(now) };
    await trx('site_cooldowns').insert({ site, ...row }).onConflict('site').merge(['cooldown_until', 'reason', 'updated_at']);
    return until;
  });
}

// Disk-full pauses, per host: a worker whose DOWNLOAD_DIR filled up takes no new transfer
// until the pause ends; like a cooldown, a pause is only ever extended.

/** When the host's disk-full pause ends; undefined when it never had one. */
export async function getDiskFullUntil(db: Db, hostId: string): Promise<Date | undefined> {
  const row = (await db('disk_full_pauses').where({ host_id: hostId }).first('full_until')) as { full_until: string } | undefined;
  return fromDbTime(row?.full_until);
}

/** Starts (or extends) the host's disk-full pause until `until`; returns the end now in force. */
export async function recordDiskFull(db: Db, hostId: string, until: Date, reason: string, now = new Date()): Promise<Date> {
  return db.transaction(async (trx) => {
    const current = await getDiskFullUntil(trx, hostId);
    if (current && current >= until) return current;
    const row = { full_until: toDbTime(until), reason: reason.slice(0, 2000), updated_at: toDbTime(now) };
    await trx('disk_full_pauses').insert({ host_id: hostId, ...row }).onConflict('host_id').merge(['full_until', 'reason', 'updated_at']);
    return until;
  });
}
