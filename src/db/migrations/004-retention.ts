import type { Knex } from 'knex';

// Retention. A video whose file the maintenance workflow deleted keeps its status
// `downloaded` and gets `deleted_at`: the status enum stays as it is (widening an enum
// means rebuilding the table in SQLite), and `downloaded` is already a status no crawl
// ever starts a download for, so a deleted video is never fetched again.
// `downloaded_at` is when the file arrived, which `keep: { days: D }` counts from.

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    table.datetime('downloaded_at', { precision: 3 }).nullable();
    table.datetime('deleted_at', { precision: 3 }).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => table.dropColumns('downloaded_at', 'deleted_at'));
}
