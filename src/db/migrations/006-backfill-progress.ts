import type { Knex } from 'knex';

// A channel's backfill (src/workflows/backfill.ts) keeps its place here, written in the
// same transaction as each page's entries: a backfill that is restarted, even as a new
// workflow, goes on from the next page instead of listing thousands of videos again.

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('channels', (table) => {
    // What the backfill was asked for: a number of entries, or `all`.
    table.string('backfill_target', 16).nullable();
    // The 1-based position in the channel's full listing of the next entry to list.
    table.integer('backfill_next').nullable();
    table.datetime('backfill_done_at', { precision: 3 }).nullable();
    // Entries in the channel's last recorded listing: fewer than its source ever lists
    // (a YouTube feed's 15) means that listing is the whole channel, with nothing to backfill.
    table.integer('listing_entries').nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('channels', (table) => table.dropColumns('backfill_target', 'backfill_next', 'backfill_done_at', 'listing_entries'));
}
