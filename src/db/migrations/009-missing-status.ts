import type { Knex } from 'knex';
import { VIDEO_STATUSES as CREATED_STATUSES } from './001-create-channels-and-videos.ts';

// A downloaded video whose file was deleted or moved behind Parker's back, found by the
// maintenance workflow's verify step: status `missing`, a status no crawl starts a
// download for. Its channel's `missing:` setting decides whether the maintenance starts
// its download again or keeps the row as a record.
//
// MySQL widens the enum in place. SQLite keeps an enum as a CHECK constraint, which it
// cannot alter (knex's alter adds a second CHECK beside the first): the table is rebuilt
// as SQLite's documentation describes, with the constraint rewritten, the rows copied
// and the indexes made again.

export const VIDEO_STATUSES = [...CREATED_STATUSES, 'missing'] as const;

const statusCheck = (statuses: readonly string[]) => `check (\`status\` in (${statuses.map((status) => `'${status}'`).join(', ')}))`;

async function rebuildSqliteVideos(db: Knex, from: readonly string[], to: readonly string[]): Promise<void> {
  const [table] = (await db.raw("select sql from sqlite_master where type = 'table' and name = 'videos'")) as Array<{ sql: string }>;
  const indexes = (await db.raw("select sql from sqlite_master where type = 'index' and tbl_name = 'videos' and sql is not null")) as Array<{ sql: string }>;
  const old = statusCheck(from);
  if (!table?.sql.includes(old)) throw new Error(`videos: the status constraint is not ${old}; this database was changed by hand`);
  const rebuilt = table.sql.replace(old, statusCheck(to)).replace(/^CREATE TABLE\s+("videos"|`videos`|videos)/, 'CREATE TABLE `videos_rebuilt`');
  await db.raw(rebuilt);
  await db.raw('insert into `videos_rebuilt` select * from `videos`');
  await db.raw('drop table `videos`');
  await db.raw('alter table `videos_rebuilt` rename to `videos`');
  for (const index of indexes) await db.raw(index.sql);
}

function isSqlite(db: Knex): boolean {
  return (db.client as { config: { client: string } }).config.client === 'better-sqlite3';
}

export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) return rebuildSqliteVideos(db, CREATED_STATUSES, VIDEO_STATUSES);
  await db.schema.alterTable('videos', (table) => {
    table.enu('status', [...VIDEO_STATUSES]).notNullable().alter();
  });
}

export async function down(db: Knex): Promise<void> {
  // Their files are gone: as far as the old statuses go, these downloads failed.
  await db('videos').where({ status: 'missing' }).update({ status: 'failed', reason: 'file missing (found by verify)' });
  if (isSqlite(db)) return rebuildSqliteVideos(db, VIDEO_STATUSES, CREATED_STATUSES);
  await db.schema.alterTable('videos', (table) => {
    table.enu('status', [...CREATED_STATUSES]).notNullable().alter();
  });
}
