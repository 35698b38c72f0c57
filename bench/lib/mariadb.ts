import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { freePort } from '../../test/helpers/ports.ts';

// A MariaDB server of the benchmark's own (Debian's mariadbd, a data directory in the
// scratch folder, a free 127.0.0.1 port): its status counters and its CPU time are the
// benchmark's alone, which the machine's shared server (other sessions' tests) cannot give.

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/**
 * MariaDB's write counters: rows written, updated and deleted through the storage
 * engines (temporary tables included), and the statements that write. (MariaDB 10.11
 * has no Innodb_rows_* counters any more.)
 */
export const ROW_WRITE_COUNTERS = [
  'Handler_write',
  'Handler_update',
  'Handler_delete',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_replace',
] as const;

export type RowWrites = Record<(typeof ROW_WRITE_COUNTERS)[number], number>;

export interface MariaDb {
  /** mysql://root@127.0.0.1:<port>/<database> */
  url: string;
  pid: number;
  /** The row counters now (SHOW GLOBAL STATUS). */
  rowWrites(): Promise<RowWrites>;
  stop(): Promise<void>;
}

/** Fails loudly (no skipping) when Debian's mariadb-server is not installed. */
function requireMariaDb(): void {
  for (const tool of [MARIADBD, INSTALL_DB]) {
    const probe = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) throw new Error(`${tool} is missing: install Debian's mariadb-server (apt-get install mariadb-server)`);
  }
}

/** Initialises a data directory under `dir`, starts mariadbd on it and creates `database`. */
export async function startMariaDb(dir: string, database: string): Promise<MariaDb> {
  requireMariaDb();
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  // As root, mariadbd runs only when told to (--user=root); the data files belong to whoever runs it.
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const installed = spawnSync(INSTALL_DB, ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user], {
    encoding: 'utf8',
  });
  if (installed.status !== 0) throw new Error(`${INSTALL_DB} failed: ${installed.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      // Root without a password over TCP, for this throwaway server only.
      '--skip-grant-tables',
      '--skip-name-resolve',
      ...user,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-10_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const admin = `mysql://root@127.0.0.1:${port}`;
  let connection: mysql.Connection | undefined;
  for (const deadline = Date.now() + 60_000; !connection; ) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}: ${stderr}`);
    connection = await mysql.createConnection(admin).catch(() => undefined);
    if (!connection) {
      if (Date.now() > deadline) throw new Error(`mariadbd did not answer on 127.0.0.1:${port} within 60 s: ${stderr}`);
      await sleep(200);
    }
  }
  await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    url: `${admin}/${database}`,
    pid: child.pid!,
    async rowWrites() {
      const [rows] = await connection.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (${ROW_WRITE_COUNTERS.map(() => '?').join(', ')})`, [
        ...ROW_WRITE_COUNTERS,
      ]);
      const values = new Map((rows as { Variable_name: string; Value: string }[]).map((row) => [row.Variable_name, Number(row.Value)]));
      return Object.fromEntries(ROW_WRITE_COUNTERS.map((name) => [name, values.get(name) ?? NaN])) as RowWrites;
    },
    async stop() {
      await connection.end();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What changed between two readings of the counters. */
export function rowWritesBetween(before: RowWrites, after: RowWrites): RowWrites {
  return Object.fromEntries(ROW_WRITE_COUNTERS.map((name) => [name, after[name] - before[name]])) as RowWrites;
}
