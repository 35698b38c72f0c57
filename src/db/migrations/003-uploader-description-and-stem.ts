import type { Knex } from 'knex';

// Output templates and sidecars: who uploaded a video and its description, as the
// listing gave them ({uploader}, the NFO's plot), and the stem each video's files were
// given, claimed once so that two videos whose template yields the same name never
// overwrite each other.

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    table.string('uploader', 255).nullable();
    table.text('description').nullable();
    // The stem relative to DOWNLOAD_DIR, decided by the first resolve and kept after.
    table.text('relative_stem').nullable();
    // sha256 of the stem in lower case: a unique key that fits any index (the stem itself
    // can be 600+ bytes), and that treats names differing only in case as the same, as
    // case-insensitive file systems do. Null until a download resolves its name.
    table.string('stem_key', 64).nullable().unique();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    table.dropUnique(['stem_key']);
    table.dropColumns('uploader', 'description', 'relative_stem', 'stem_key');
  });
}
