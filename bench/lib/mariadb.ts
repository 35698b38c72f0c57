import { execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from '../../test/helpers/ports.ts';

// A MariaDB server of the benchmark's own (Debian's mariadbd, a fresh data directory, a
// free port on 127.0.0.1): the machine's shared one also serves other sessions' tests,
// so its CPU time would not be Parker's alone.

export interface MariaDb {
  /** mysql://root@127.0.0.1:<port>/parker */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Fails loudly (no skipping) when mariadb-server is not installed. */
export async function startMariaDb(dir: string): Promise<MariaDb> {
  const dataDir = path.join(dir, 'mariadb');
  await mkdir(dataDir, { recursive: true });
  try {
    await promisify(execFile)('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal']);
  } catch (error) {
    throw new Error(`cannot make a MariaDB data directory in ${dataDir} (apt-get install mariadb-server): ${(error as Error).message}`);
  }
  const port = await freePort();
  const child = spawn(
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${path.join(dataDir, 'mysqld.sock')}`,
      `--pid-file=${path.join(dataDir, 'mysqld.pid')}`,
      // Reachable from this machine only, for the length of a run.
      '--skip-grant-tables',
      '--user=root',
    ],
    { stdio: 'ignore' },
  );
  const adminUrl = `mysql://root@127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const admin = await mysql.createConnection(adminUrl);
      await admin.query('CREATE DATABASE parker CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
      await admin.end();
      break;
    } catch (error) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`mariadbd did not answer on 127.0.0.1:${port}: ${(error as Error).message}`);
      await sleep(200);
    }
  }
  return {
    url: `${adminUrl}/parker`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
