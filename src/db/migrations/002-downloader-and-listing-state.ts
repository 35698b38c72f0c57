import type { Knex } from 'knex';

// yt-dlp and YouTube: each video names the downloader that fetches it, and each channel
// keeps what its source learned once (a handle resolved to a channel id) and the
// validators of its last listing, for conditional GET.

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    // http (a file URL) or ytdlp (a page yt-dlp understands); null in rows from before: http.
    table.string('downloader', 20).nullable();
  });
  await db.schema.alterTable('channels', (table) => {
    // The id a handle or custom URL resolved to (YouTube's UC…), and the URL it came from:
    // a changed URL in channels.yaml is resolved again.
    table.string('resolved_id', 100).nullable();
    table.text('resolved_from').nullable();
    // Validators of the last listing recorded, sent back as If-None-Match / If-Modified-Since.
    table.string('listing_etag', 255).nullable();
    table.string('listing_last_modified', 100).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('channels', (table) => {
    table.dropColumns('resolved_id', 'resolved_from', 'listing_etag', 'listing_last_modified');
  });
  await db.schema.alterTable('videos', (table) => table.dropColumn('downloader'));
}
