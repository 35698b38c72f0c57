import type { Knex } from 'knex';

// Each rate-limited site's last transfer start, shared by every worker: a claim takes the
// next turn from here (src/db/turns.ts), so starts on a site stay an interval apart
// however the claims that gave them were bunched.

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('site_turns', (table) => {
    // The site's key in channels.yaml (`default` for every host no site names).
    table.string('site', 63).primary();
    // Milliseconds since the epoch, on the clock of the worker that took the turn.
    table.bigInteger('last_turn_at_ms').notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('site_turns');
}
