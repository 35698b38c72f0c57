import type { Knex } from 'knex';

// A video's length as its listing gave it, kept for the podcast feed's itunes:duration
// (src/library/): the filters read it from the listing and never needed it stored.

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    // Whole seconds; null when the listing did not say (rows from before this column too).
    table.integer('duration_seconds').nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => table.dropColumn('duration_seconds'));
}
