import type { Knex } from 'knex';

// The durable per-site cooldown: a site that throttled a download (HTTP 429, bot check)
// is left alone until `cooldown_until`, by every worker, across restarts.

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('site_cooldowns', (table) => {
    // The host name of the media URL, lower case: `www.youtube.com`, `rr3---sn….googlevideo.com`.
    table.string('site', 255).primary();
    table.datetime('cooldown_until', { precision: 3 }).notNullable();
    table.text('reason').nullable();
    table.datetime('updated_at', { precision: 3 }).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('site_cooldowns');
}
