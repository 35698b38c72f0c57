// `npm test`: runs every test file under test/ with node's test runner, against real
// services set up here once per run:
//  - the machine first (test/setup-machine.ts): the Debian packages the tests run and a
//    MariaDB with the tests' user, installed and started when missing (as root), else the
//    run stops with the command that provides them;
//  - a Temporal dev server (the project's temporal CLI, a database file of its own, a
//    free port on 127.0.0.1), started here because the SDK's createLocal gives up after 5s;
//  - a MariaDB database of its own on PARKER_TEST_MYSQL (default
//    mysql://parker:parker@127.0.0.1:3306, the user scripts/ensure-mariadb.sh makes),
//    dropped at the end;
//  - yt-dlp: scripts/ensure-ytdlp.sh (YTDLP_PATH, else the pinned version in .tools/ytdlp,
//    installed from PyPI when missing);
//  - Python's feedparser for the podcast feeds' tests: scripts/ensure-feedparser.sh (a
//    virtualenv in .tools/feedparser, from PyPI);
//  - the time-skipping test server of the workflow tests: scripts/ensure-test-server.sh
//    (TEMPORAL_TEST_SERVER, else the Java one in .tools/temporal-test-server, from Maven Central);
//  - the workflow code, bundled once (with the workflow interceptors the worker would
//    bundle) and handed to every test worker.
// A missing service fails the run with a message saying how to get it; nothing skips.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { bundleWorkflows } from '../src/bundle-workflows.ts';
import { ensureTemporalCli } from '../src/temporal/cli.ts';
import { runEnsureScript } from '../src/tools/ensure-script.ts';
import { startDevServer } from '../src/temporal/dev-server.ts';
import { connectDb, migrate } from '../src/db/connect.ts';
import { freePort } from './helpers/ports.ts';
import { redacted, setUpMachine } from './setup-machine.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function testFiles(args: string[]): string[] {
  if (args.length > 0) return args;
  return readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => path.join('test', file))
    .sort();
}

async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parker_test_${Date.now()}_${process.pid}`;
  const connection = await mysql.createConnection(adminUrl);
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const admin = await mysql.createConnection(adminUrl);
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/** What an ensure script said last before it failed: its reason (its earlier lines are progress). */
function reasonOf(error: unknown): string {
  return (error as Error).message.trim().split('\n').at(-1) ?? String(error);
}

/** The temporal CLI: TEMPORAL_CLI, else the project's build in .tools/bin, built when missing. */
async function ensureTemporal(): Promise<string> {
  try {
    return await ensureTemporalCli(process.env.TEMPORAL_CLI);
  } catch (error) {
    throw new Error(`no temporal CLI: ${reasonOf(error)}`);
  }
}

/** yt-dlp as the worker finds it (YTDLP_PATH, else the project's pinned one, installed when missing). */
async function ensureYtDlp(): Promise<string> {
  try {
    return await runEnsureScript('ensure-ytdlp.sh');
  } catch (error) {
    throw new Error(
      `no yt-dlp (${reasonOf(error)}): run scripts/ensure-ytdlp.sh (needs python3 with venv and access to PyPI), or set YTDLP_PATH to a yt-dlp of 2024.07.01 or later.`,
    );
  }
}

async function main(): Promise<number> {
  const files = testFiles(process.argv.slice(2));
  const mysqlUrl = await setUpMachine();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-test-'));
  const database = await createTestDatabase(mysqlUrl);
  let devServer: Awaited<ReturnType<typeof startDevServer>> | undefined;
  try {
    const cliPath = await ensureTemporal();
    const ytdlpPath = await ensureYtDlp();
    devServer = await startDevServer({ cliPath, dbFile: path.join(scratch, 'temporal.db'), port: await freePort() });
    process.stderr.write(`test services: temporal ${devServer.address}, database ${redacted(database.url)}\n`);

    // Migrate once here: test files run in parallel and would race for knex's migration lock.
    const db = connectDb(database.url, scratch);
    await migrate(db);
    await db.destroy();

    const bundle = await bundleWorkflows({ trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} });
    const bundlePath = path.join(scratch, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle);

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
      {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          PARKER_TEST_TEMPORAL_ADDRESS: devServer.address,
          PARKER_TEST_DATABASE_URL: database.url,
          PARKER_TEST_WORKFLOW_BUNDLE: bundlePath,
          PARKER_TEST_TEMPORAL_CLI: cliPath,
          PARKER_TEST_YTDLP: ytdlpPath,
          // The time-skipping test server the workflow tests start (scripts/ensure-test-server.sh).
          PARKER_TEST_TIME_SKIPPING_SERVER: await runEnsureScript('ensure-test-server.sh'),
          // A Python with feedparser, which reads the podcast feeds (scripts/ensure-feedparser.sh).
          PARKER_TEST_FEEDPARSER_PYTHON: await runEnsureScript('ensure-feedparser.sh'),
        },
      },
    );
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await devServer?.stop();
    await database.drop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm test: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
