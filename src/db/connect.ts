import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { migrationSource } from './migrations/index.ts';
import type { Logger } from '../log.ts';

// The metadata store: MySQL (or MariaDB) in production and in the tests, or an embedded
// SQLite file when DATABASE_URL is unset, so `npm start` needs no database server.
// Both read and write through the same queries and the same migrations.

export type Db = Knex;

export function sqlitePath(dataDir: string): string {
  return path.join(dataDir, 'parker.sqlite');
}

/** knex's own warnings (a lost connection, a failed acquire) into Parker's log stream. */
function knexLog(log: Logger | undefined): Knex.Config['log'] {
  if (!log) return undefined;
  return {
    warn: (message: unknown) => log.warn({ component: 'knex' }, String(message)),
    error: (message: unknown) => log.error({ component: 'knex' }, String(message)),
    deprecate: (method: unknown, alternative: unknown) => log.warn({ component: 'knex' }, `${method} is deprecated: use ${alternative}`),
    debug: (message: unknown) => log.debug({ component: 'knex' }, String(message)),
  };
}

export function connectDb(databaseUrl: string | undefined, dataDir: string, log?: Logger): Db {
  if (databaseUrl) {
    return knex({
      log: knexLog(log),
      client: 'mysql2',
      connection: {
        uri: databaseUrl,
        // Parker writes UTC strings and wants them back as written, on any server time zone.
        timezone: 'Z',
        dateStrings: true,
        charset: 'utf8mb4',
      } as Knex.MySql2ConnectionConfig,
      pool: { min: 0, max: 10 },
    });
  }
  const filename = sqlitePath(dataDir);
  mkdirSync(path.dirname(filename), { recursive: true });
  return knex({
    log: knexLog(log),
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      // WAL lets the worker read while another process (a second `npm start`) writes;
      // busy_timeout waits for a lock instead of failing at once.
      afterCreate: (conn: { pragma(sql: string): unknown }, done: (error: Error | null) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
        done(null);
      },
    },
  });
}

/**
 * Brings the schema up to date; safe to run at every start and from several processes.
 * Returns the names of the migrations it applied (none when the schema was current).
 */
export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** Timestamps are stored as UTC text `YYYY-MM-DD HH:MM:SS.mmm`, the same in both stores. */
export function toDbTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function fromDbTime(value: string | Date | null | undefined): Date | undefined {
  if (!value) return undefined;
  if (value instanceof Date) return value;
  return new Date(`${value.replace(' ', 'T')}Z`);
}
