import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { connectDb, sqlitePath } from '../../src/db/connect.ts';
import { services } from '../helpers/services.ts';

// `npm run migrate` as an operator runs it, as a process of its own: against a MariaDB
// database nobody else uses, and against the SQLite file of an empty data folder. The
// first run applies every migration in src/db/migrations and says so; the second applies
// none.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIGRATIONS = readdirSync(path.join(root, 'src', 'db', 'migrations'))
  .filter((file) => /^\d{3}-.*\.ts$/.test(file))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

let scratch: string;
before(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-migrate-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

interface MigrateReport {
  database: string;
  applied: string[];
  msg: string;
}

/** Runs `npm run migrate` with these settings and returns the line that reports what it did. */
async function npmRunMigrate(settings: Record<string, string>): Promise<MigrateReport> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...settings };
  if (!settings.DATABASE_URL) delete env.DATABASE_URL;
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'migrate'], { cwd: root, env, timeout: 60_000 });
  const reports = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Partial<MigrateReport>)
    .filter((line): line is MigrateReport => Array.isArray(line.applied));
  assert.equal(reports.length, 1, `one report line, in:\n${stdout}`);
  return reports[0]!;
}

describe('npm run migrate', () => {
  test('migrates a fresh MariaDB database, then finds nothing to do', async () => {
    const adminUrl = new URL(services.databaseUrl);
    adminUrl.pathname = '';
    const name = `parker_migrate_${Date.now()}_${process.pid}`;
    const admin = await mysql.createConnection(adminUrl.href);
    try {
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      const url = new URL(adminUrl.href);
      url.pathname = `/${name}`;

      const first = await npmRunMigrate({ DATABASE_URL: url.href, PARKER_DATA_DIR: scratch });
      assert.deepEqual(first.applied, MIGRATIONS);
      assert.equal(first.database, `MySQL ${url.host}/${name}`, 'named by host and database, without the password');
      assert.equal(first.msg, `applied ${MIGRATIONS.length} migrations to MySQL ${url.host}/${name}`);

      const [tables] = await admin.query<mysql.RowDataPacket[]>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?',
        [name],
      );
      const names = tables.map((row) => String(row.name));
      for (const table of ['channels', 'videos', 'site_cooldowns', 'knex_migrations']) {
        assert.ok(names.includes(table), `table ${table} exists (found ${names.join(', ')})`);
      }
      const [recorded] = await admin.query<mysql.RowDataPacket[]>(`SELECT name FROM \`${name}\`.knex_migrations ORDER BY id`);
      assert.deepEqual(recorded.map((row) => String(row.name)), MIGRATIONS);

      const second = await npmRunMigrate({ DATABASE_URL: url.href, PARKER_DATA_DIR: scratch });
      assert.deepEqual(second.applied, []);
      assert.equal(second.msg, `MySQL ${url.host}/${name} is up to date`);
      assert.equal(existsSync(sqlitePath(scratch)), false, 'with DATABASE_URL, no SQLite file is made');
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    }
  });

  test('without DATABASE_URL, migrates the SQLite file in PARKER_DATA_DIR', async () => {
    const dataDir = path.join(scratch, 'data');
    const first = await npmRunMigrate({ PARKER_DATA_DIR: dataDir });
    assert.deepEqual(first.applied, MIGRATIONS);
    assert.equal(first.database, sqlitePath(dataDir));

    const db = connectDb(undefined, dataDir);
    try {
      for (const table of ['channels', 'videos', 'site_cooldowns']) assert.ok(await db.schema.hasTable(table), `table ${table}`);
    } finally {
      await db.destroy();
    }

    const second = await npmRunMigrate({ PARKER_DATA_DIR: dataDir });
    assert.deepEqual(second.applied, []);
  });
});
