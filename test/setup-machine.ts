import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { isEntryPoint, runEntryPoint } from '../src/entry-point.ts';

// The machine's share of `npm test`'s set-up: the Debian packages the tests run, and a
// MariaDB with the user they connect as. What is there is reused, so on a machine that has
// it all this costs a PATH search and one connection. As root with apt-get, whatever is
// missing is installed and started; anywhere else the run stops before any test, with one
// sentence naming what is missing and the command that provides it. The project's own
// tools (temporal CLI, yt-dlp) are test/run.ts's, through scripts/ensure-*.sh.
//
//   npx tsx test/setup-machine.ts    this step alone (npm test runs it first)

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The server the tests make their databases on, unless PARKER_TEST_MYSQL names another. */
export const DEFAULT_TEST_MYSQL = 'mysql://parker:parker@127.0.0.1:3306';

/** Something the tests run, and the Debian packages that provide it. */
export interface DebianRequirement {
  /** The executable the tests run, looked up on PATH. */
  command: string;
  packages: string[];
  /** How the sentence that reports it missing names it; the command by default. */
  shownAs?: string;
  /** A further check of the executable found, where having it is not enough. */
  works?(executable: string, env: NodeJS.ProcessEnv): boolean;
}

/** What the tests need from Debian. A new need is one line here. */
export const DEBIAN_REQUIREMENTS: DebianRequirement[] = [
  // The server the tests' databases live on, and the MariaDB of its own that
  // service-restarts.test.ts crashes and restarts.
  { command: 'mariadb-install-db', packages: ['mariadb-server'], shownAs: 'MariaDB' },
  // compose.test.ts validates docker-compose.yml with `docker-compose config`.
  { command: 'docker-compose', packages: ['docker-compose'] },
  // yt-dlp merges separate video and audio formats with it.
  { command: 'ffmpeg', packages: ['ffmpeg'] },
  // metrics.test.ts proves every query of the Grafana dashboard against a real Prometheus.
  { command: 'prometheus', packages: ['prometheus'] },
  // temporal-tls.test.ts makes its certificate authority and certificates with it.
  { command: 'openssl', packages: ['openssl'] },
  // scripts/ensure-test-server.sh fetches Temporal's Java time-skipping test server with Maven.
  { command: 'mvn', packages: ['maven'] },
  { command: 'java', packages: ['default-jdk-headless'] },
  // feeds.test.ts subscribes gPodder's command-line client to Parker's podcast feeds.
  { command: 'gpo', packages: ['gpodder'], shownAs: "gPodder's gpo" },
  // cli-web-ui.test.ts drives the Temporal Web UI in it, through playwright-core.
  { command: 'chromium', packages: ['chromium'] },
  // cli-status.test.ts runs `parker status` in a pseudo-terminal with util-linux's script.
  { command: 'script', packages: ['bsdutils'] },
  // scripts/ensure-ytdlp.sh installs the pinned yt-dlp into a virtualenv of its own.
  { command: 'python3', packages: ['python3', 'python3-venv'], shownAs: 'python3 with venv', works: hasVenv },
];

/** Thrown when the machine lacks something this run cannot provide; the message says how to get it. */
export class MachineNotReadyError extends Error {
  override name = 'MachineNotReadyError';
}

/** The executable `name` on the PATH of `env`, as a shell would find it. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function hasVenv(python: string, env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync(python, ['-c', 'import venv, ensurepip'], { env, stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** "a", "a and b", "a, b and c". */
function listed(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function isMissing(requirement: DebianRequirement, env: NodeJS.ProcessEnv): boolean {
  const executable = onPath(requirement.command, env);
  return executable === undefined || requirement.works?.(executable, env) === false;
}

function missingRequirements(env: NodeJS.ProcessEnv): DebianRequirement[] {
  return DEBIAN_REQUIREMENTS.filter((requirement) => isMissing(requirement, env));
}

function packagesOf(requirements: DebianRequirement[]): string[] {
  return [...new Set(requirements.flatMap((requirement) => requirement.packages))];
}

function notInstalled(missing: DebianRequirement[]): string {
  return `${listed(missing.map((requirement) => requirement.shownAs ?? requirement.command))} ${missing.length === 1 ? 'is' : 'are'} not installed`;
}

export function redacted(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

/** Why the MySQL server at `url` cannot be used, or undefined when it answers. */
async function mysqlProblem(url: string): Promise<string | undefined> {
  try {
    const connection = await mysql.createConnection({ uri: url, connectTimeout: 5_000 });
    await connection.end();
    return undefined;
  } catch (error) {
    // A refused or unreachable connection says it best by its code; the server's own
    // refusals (access denied) by their message.
    const { syscall, code, message } = error as NodeJS.ErrnoException;
    return syscall && code ? `${syscall} ${code}` : message || String(error);
  }
}

/** Runs a command with its output on our stderr (stdout is for what a caller parses). */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', process.stderr, process.stderr] });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${file} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function aptInstall(aptGet: string, packages: string[], env: NodeJS.ProcessEnv): Promise<void> {
  process.stderr.write(`Installing Debian packages for the tests: ${packages.join(' ')}\n`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  await run(aptGet, ['update', '-q'], aptEnv);
  await run(aptGet, ['install', '-y', '-q', ...packages], aptEnv);
}

/**
 * Makes the machine ready for the tests, or throws a MachineNotReadyError saying what is
 * missing and how to get it. Returns the URL of the MySQL server to make test databases on.
 */
export async function setUpMachine(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const chosenMysql = env.PARKER_TEST_MYSQL;
  const mysqlUrl = chosenMysql ?? DEFAULT_TEST_MYSQL;
  const local = new URL(DEFAULT_TEST_MYSQL);
  const localMariaDb = `MariaDB at ${local.host} as ${local.username}`;

  let missing = missingRequirements(env);
  if (missing.length > 0) {
    const packages = packagesOf(missing);
    if (!isRoot()) {
      // A fresh machine lacks the database too: one command for both, in one round trip.
      const mysqlDown = chosenMysql === undefined ? await mysqlProblem(mysqlUrl) : undefined;
      const install = `sudo apt-get install -y ${packages.join(' ')}`;
      throw new MachineNotReadyError(
        mysqlDown
          ? `${notInstalled(missing)} and the tests cannot log in to ${localMariaDb} (${mysqlDown}), and this is not root: run \`${install} && sudo scripts/ensure-mariadb.sh\`.`
          : `${notInstalled(missing)} and this is not root: run \`${install}\`.`,
      );
    }
    const aptGet = onPath('apt-get', env);
    if (!aptGet) {
      throw new MachineNotReadyError(
        `${notInstalled(missing)} and there is no apt-get to install ${missing.length === 1 ? 'it' : 'them'}: install Debian's ${listed(packages)}, or the same from this system's package manager.`,
      );
    }
    await aptInstall(aptGet, packages, env);
    missing = missingRequirements(env);
    if (missing.length > 0) {
      throw new MachineNotReadyError(`apt-get installed ${listed(packages)}, yet ${notInstalled(missing)} on PATH=${env.PATH ?? ''}.`);
    }
  }

  const problem = await mysqlProblem(mysqlUrl);
  if (!problem) return mysqlUrl;
  if (chosenMysql !== undefined) {
    // A server someone chose is theirs to start: this run never touches it.
    throw new MachineNotReadyError(
      `the tests cannot log in to the MySQL server in PARKER_TEST_MYSQL (${redacted(chosenMysql)}: ${problem}): start it or correct the URL, or unset PARKER_TEST_MYSQL to have npm test set up a local MariaDB.`,
    );
  }
  if (!isRoot()) {
    throw new MachineNotReadyError(
      `the tests cannot log in to ${localMariaDb} (${problem}) and this is not root: run \`sudo scripts/ensure-mariadb.sh\`, or set PARKER_TEST_MYSQL to a MySQL server.`,
    );
  }
  await run(path.join(projectRoot, 'scripts', 'ensure-mariadb.sh'), [], env);
  const still = await mysqlProblem(mysqlUrl);
  if (still) throw new Error(`scripts/ensure-mariadb.sh ran, yet the tests cannot log in to ${localMariaDb}: ${still}`);
  return mysqlUrl;
}

if (isEntryPoint(import.meta.url)) {
  runEntryPoint('npm test', async () => {
    const mysqlUrl = await setUpMachine();
    process.stderr.write(`machine ready for the tests; MySQL at ${redacted(mysqlUrl)}\n`);
  });
}
