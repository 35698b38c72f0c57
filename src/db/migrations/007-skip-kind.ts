import type { Knex } from 'knex';

// Why a row is `skipped`, as a value a query can match: a deeper backfill reopens the rows
// a first crawl skipped for its backfill limit, which used to be found by the end of their
// reason text. The reason stays, for people; the kind is for queries and counts.

// As this migration created them; src/rules/recording.ts decides which a row gets.
const SKIP_KINDS = ['not_downloadable', 'filtered', 'backfill_limit'] as const;

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('videos', (table) => {
    // Null for every row that is not `skipped`.
    table.enu('skip_kind', [...SKIP_KINDS]).nullable();
  });
  // Rows recorded before this column, classified once from the reasons Parker wrote then:
  // its backfill limit's ended in "(backfill limit)", a channel rule's began with
  // "filter: ", and every other skip came from a source that could not download the entry.
  const skipped = () => db('videos').where({ status: 'skipped' }).whereNull('skip_kind');
  await skipped().andWhere('reason', 'like', '%(backfill limit)').update({ skip_kind: 'backfill_limit' });
  await skipped().andWhere('reason', 'like', 'filter: %').update({ skip_kind: 'filtered' });
  await skipped().update({ skip_kind: 'not_downloadable' });
}

export async function down(db: Knex): Promise<void> {
  // Lossless: the reasons still say what the kinds did.
  await db.schema.alterTable('videos', (table) => table.dropColumn('skip_kind'));
}
