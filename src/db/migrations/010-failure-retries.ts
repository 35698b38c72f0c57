import type { Knex } from 'knex';

// Failed videos come back: a row that failed for a transient reason says so, how many
// download runs failed, and from when a later crawl may try it again
// (src/rules/retry-schedule.ts). A person may set a video aside for good (`ignored_at`).
// And a host whose download folder filled up pauses its transfers until `full_until`.

// As this migration created them; src/rules/retry-schedule.ts decides which a row gets.
const FAILURE_KINDS = ['permanent', 'transient'] as const;

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    // Null on rows that never failed, and on rows that failed before this migration:
    // those are not retried by crawls (`parker videos retry` starts them by hand).
    table.enu('failure_kind', [...FAILURE_KINDS]).nullable();
    table.integer('failed_attempts').notNullable().defaultTo(0);
    // Null on a transient failure that was given up.
    table.datetime('next_retry_at', { precision: 3 }).nullable();
    table.datetime('ignored_at', { precision: 3 }).nullable();
    table.index(['channel', 'failure_kind', 'next_retry_at']);
  });
  await db.schema.createTable('disk_full_pauses', (table) => {
    // PARKER_HOST_ID of the worker whose DOWNLOAD_DIR is full.
    table.string('host_id', 100).primary();
    table.datetime('full_until', { precision: 3 }).notNullable();
    table.text('reason').nullable();
    table.datetime('updated_at', { precision: 3 }).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('disk_full_pauses');
  await db.schema.alterTable('videos', (table) => {
    table.dropIndex(['channel', 'failure_kind', 'next_retry_at']);
    table.dropColumn('failure_kind');
    table.dropColumn('failed_attempts');
    table.dropColumn('next_retry_at');
    table.dropColumn('ignored_at');
  });
}
