import type { Knex } from 'knex';

export const VIDEO_STATUSES = ['discovered', 'skipped', 'downloading', 'downloaded', 'failed'] as const;

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('channels', (table) => {
    table.string('name', 100).primary();
    table.text('url').notNullable();
    // Which listing format the channel answered with: rss, atom, youtube.
    table.string('kind', 20).nullable();
    table.text('title').nullable();
    table.datetime('last_crawled_at', { precision: 3 }).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('updated_at', { precision: 3 }).notNullable();
  });
  await db.schema.createTable('videos', (table) => {
    table.increments('id').primary();
    table.string('channel', 100).notNullable().references('name').inTable('channels');
    table.string('external_id', 255).notNullable();
    table.text('title').notNullable();
    table.text('url').nullable();
    table.text('media_url').nullable();
    table.string('media_type', 100).nullable();
    table.datetime('published_at', { precision: 3 }).nullable();
    table.enu('status', [...VIDEO_STATUSES]).notNullable();
    table.text('reason').nullable();
    table.text('file_path').nullable();
    table.bigInteger('bytes').nullable();
    table.string('sha256', 64).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('updated_at', { precision: 3 }).notNullable();
    table.unique(['channel', 'external_id']);
    table.index(['channel', 'status']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('videos');
  await db.schema.dropTable('channels');
}
