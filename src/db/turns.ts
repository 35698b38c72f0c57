import { nextTurnAt } from '../rules/transfer-turn.ts';
import type { Db } from './connect.ts';

// A rate-limited site's turns, handed out one at a time across every worker: the row's
// lock makes two claims that arrive together take successive turns, not the same one.
// The times are the workers' own clocks, as for the cooldowns: hosts keep them in step
// (NTP), and a skew between two hosts shifts their turns by that much.

/** Takes the site's next turn and returns its start (ms since the epoch). */
export async function takeTurn(db: Db, site: string, intervalMs: number): Promise<number> {
  // The row exists before it is locked: two first claims locking a missing row would
  // deadlock on MariaDB's gap locks.
  await db('site_turns').insert({ site, last_turn_at_ms: 0 }).onConflict('site').ignore();
  return db.transaction(async (trx) => {
    const row = (await trx('site_turns').where({ site }).forUpdate().first('last_turn_at_ms')) as { last_turn_at_ms: number | string };
    // Read after the lock is ours, so a wait for it does not eat into the lead.
    const turn = nextTurnAt(Number(row.last_turn_at_ms), Date.now(), intervalMs);
    await trx('site_turns').where({ site }).update({ last_turn_at_ms: turn });
    return turn;
  });
}
