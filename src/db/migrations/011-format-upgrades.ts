import type { Knex } from 'knex';

// Quality upgrades (`upgrade: { within: 7d }` in channels.yaml): each downloaded video
// records the format yt-dlp fetched (its format id and height), when its channel's upgrade
// check last asked the site for a better one, and, once a better one replaced the file,
// when that was and the sha256 of the file it replaced.

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    // yt-dlp's format id, e.g. `18` or `137+140` for a merge; null for HTTP downloads and
    // for rows from before this migration (their channels' upgrade check skips them).
    table.string('format_id', 200).nullable();
    table.integer('format_height').nullable();
    table.datetime('upgrade_checked_at', { precision: 3 }).nullable();
    table.datetime('upgraded_at', { precision: 3 }).nullable();
    table.string('previous_sha256', 64).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    table.dropColumn('format_id');
    table.dropColumn('format_height');
    table.dropColumn('upgrade_checked_at');
    table.dropColumn('upgraded_at');
    table.dropColumn('previous_sha256');
  });
}
