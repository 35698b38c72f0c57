import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.ts';
import { freePort } from './ports.ts';
import { services } from './services.ts';

// Services of a test's own, for tests that stop and restart them: the shared ones
// serve the other test files running alongside.

/** A Temporal dev server with a database file, that can be stopped and started again. */
export class OwnTemporal {
  private server?: DevServer;
  private constructor(
    readonly port: number,
    readonly dbFile: string,
  ) {}

  static async start(dir: string): Promise<OwnTemporal> {
    const own = new OwnTemporal(await freePort(), path.join(dir, 'temporal.db'));
    await own.restart();
    return own;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.server = await startDevServer({ cliPath: services.temporalCli, dbFile: this.dbFile, port: this.port });
  }

  /** SIGKILL, as a crash would. */
  async crash(): Promise<void> {
    const child = this.server?.process;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

/**
 * A MariaDB server of its own: a fresh data directory, a free port on 127.0.0.1, no
 * passwords (grant tables skipped: it is reachable from this machine only, for seconds).
 */
export class OwnMariaDb {
  private process?: ChildProcess;
  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(dir: string): Promise<OwnMariaDb> {
    const dataDir = path.join(dir, 'mariadb');
    mkdirSync(dataDir, { recursive: true });
    try {
      await promisify(execFile)('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal']);
    } catch (error) {
      throw new Error(`cannot make a MariaDB data directory (is mariadb-server installed? npm test installs it as root): ${(error as Error).message}`);
    }
    const own = new OwnMariaDb(dataDir, await freePort());
    await own.restart();
    const admin = await mysql.createConnection(own.adminUrl());
    await admin.query('CREATE DATABASE parker CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.end();
    return own;
  }

  adminUrl(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/parker`;
  }

  async restart(): Promise<void> {
    this.process = spawn(
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.dataDir, 'mysqld.sock')}`,
        `--pid-file=${path.join(this.dataDir, 'mysqld.pid')}`,
        '--skip-grant-tables',
        '--user=root',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const probe = await mysql.createConnection(this.adminUrl());
        await probe.end();
        return;
      } catch (error) {
        if (this.process.exitCode !== null) throw new Error(`mariadbd exited with ${this.process.exitCode}`);
        if (Date.now() > deadline) throw new Error(`mariadbd did not answer on ${this.port}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** SIGKILL, as a crash would. */
  async crash(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
}
