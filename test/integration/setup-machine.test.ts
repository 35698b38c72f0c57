import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEBIAN_REQUIREMENTS } from '../setup-machine.ts';
import { freePort } from '../helpers/ports.ts';
import { services } from '../helpers/services.ts';

// `npm test`'s machine set-up (test/setup-machine.ts) run as its own process, on a PATH
// made for each case: stand-ins for the tools present, none for the ones missing. As a
// user who is not root (setpriv), and in a network namespace of its own where nothing
// answers on 127.0.0.1:3306 (unshare), it must stop with one sentence naming what is
// missing and the command that provides it. As root it installs with apt-get (a stand-in
// that records what it was asked) and, with everything there, asks apt-get nothing. The
// machine's own MariaDB and packages are never touched.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NOBODY = 65534;

let scratch: string;

before(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-setup-'));
  // The stand-ins must be reachable for the unprivileged user too.
  chmodSync(scratch, 0o755);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** This machine's own executable, for starting the step: the step's PATH has none of them. */
function systemCommand(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(`${name} is not on PATH (util-linux has it)`);
}

function executable(file: string, script: string): void {
  writeFileSync(file, script, { mode: 0o755 });
}

let pathCount = 0;

/** A PATH folder with a stand-in for every required command except `absent`. */
function pathWithout(absent: string[]): string {
  const dir = path.join(scratch, `path-${++pathCount}`);
  mkdirSync(dir, { mode: 0o755 });
  for (const { command } of DEBIAN_REQUIREMENTS) {
    if (!absent.includes(command)) executable(path.join(dir, command), '#!/bin/sh\nexit 0\n');
  }
  return dir;
}

interface StepRun {
  code: number;
  stderr: string;
}

interface How {
  /** The step's PATH: only the folder given. */
  pathDir: string;
  asNobody?: boolean;
  /** A network namespace of its own: nothing answers on 127.0.0.1 there. */
  ownNetwork?: boolean;
  extraEnv?: Record<string, string>;
}

/** Runs `node --import tsx test/setup-machine.ts` as asked. */
function runStep({ pathDir, asNobody = false, ownNetwork = false, extraEnv = {} }: How): Promise<StepRun> {
  let argv = [process.execPath, '--import', 'tsx', 'test/setup-machine.ts'];
  // Not root, yet able to read the checkout wherever it was cloned (a clone under /root, or
  // in a mktemp folder, is 0700 and root's): the one capability to read and search files.
  const readAnywhere = ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'];
  if (asNobody) argv = [systemCommand('setpriv'), `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...readAnywhere, '--', ...argv];
  if (ownNetwork) argv = [systemCommand('unshare'), '--net', '--', ...argv];
  return new Promise((resolve) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { cwd: root, env: { PATH: pathDir, HOME: scratch, ...extraEnv }, timeout: 60_000 },
      (error, _stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stderr });
      },
    );
  });
}

/** The one line the step printed, without the `npm test: ` it starts with. */
function sentence(run: StepRun): string {
  assert.equal(run.code, 1, `the step should have stopped; it printed:\n${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, not:\n${run.stderr}`);
  assert.match(lines[0]!, /^npm test: /);
  return lines[0]!.slice('npm test: '.length);
}

/** The server test/run.ts made the run's database on. */
function testMysqlUrl(): string {
  const url = new URL(services.databaseUrl);
  url.pathname = '';
  return url.href;
}

describe('the machine set-up of npm test', () => {
  test('not root, on a fresh machine: the missing packages and MariaDB, in one command', async () => {
    const run = await runStep({ pathDir: pathWithout(['docker-compose', 'prometheus']), asNobody: true, ownNetwork: true });
    assert.match(
      sentence(run),
      /^docker-compose and prometheus are not installed and the tests cannot log in to MariaDB at 127\.0\.0\.1:3306 as parker \(connect E[A-Z]+\), and this is not root: run `sudo apt-get install -y docker-compose prometheus && sudo scripts\/ensure-mariadb\.sh`\.$/,
    );
  });

  test('not root, packages there, no MariaDB answering: the script that sets it up, or PARKER_TEST_MYSQL', async () => {
    const run = await runStep({ pathDir: pathWithout([]), asNobody: true, ownNetwork: true });
    assert.match(
      sentence(run),
      /^the tests cannot log in to MariaDB at 127\.0\.0\.1:3306 as parker \(connect E[A-Z]+\) and this is not root: run `sudo scripts\/ensure-mariadb\.sh`, or set PARKER_TEST_MYSQL to a MySQL server\.$/,
    );
  });

  test('PARKER_TEST_MYSQL at a closed port: named, password hidden, and left alone', async () => {
    const port = await freePort();
    const run = await runStep({
      pathDir: pathWithout([]),
      asNobody: true,
      extraEnv: { PARKER_TEST_MYSQL: `mysql://parker:s3cret-word@127.0.0.1:${port}` },
    });
    assert.equal(
      sentence(run),
      `the tests cannot log in to the MySQL server in PARKER_TEST_MYSQL (mysql://parker:***@127.0.0.1:${port}: connect ECONNREFUSED): start it or correct the URL, or unset PARKER_TEST_MYSQL to have npm test set up a local MariaDB.`,
    );
  });

  test('root without apt-get: what is missing, by its Debian name', async () => {
    const run = await runStep({ pathDir: pathWithout(['prometheus']), extraEnv: { PARKER_TEST_MYSQL: testMysqlUrl() } });
    assert.equal(
      sentence(run),
      "prometheus is not installed and there is no apt-get to install it: install Debian's prometheus, or the same from this system's package manager.",
    );
  });

  test('root with apt-get: installs what is missing, then goes on', async () => {
    const dir = pathWithout(['prometheus', 'java']);
    const log = path.join(dir, 'apt-get.log');
    // Records its calls; `install` leaves the stand-ins a real install would leave.
    executable(
      path.join(dir, 'apt-get'),
      `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${log}\n` +
        `if [ "$1" = install ]; then for tool in prometheus java; do printf '#!/bin/sh\\nexit 0\\n' > ${dir}/$tool; /bin/chmod 755 ${dir}/$tool; done; fi\n`,
    );
    const run = await runStep({ pathDir: dir, extraEnv: { PARKER_TEST_MYSQL: testMysqlUrl() } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'noninteractive update -q',
      'noninteractive install -y -q prometheus default-jdk-headless',
    ]);
  });

  test('root with everything there: apt-get is not asked at all', async () => {
    const dir = pathWithout([]);
    const log = path.join(dir, 'apt-get.log');
    executable(path.join(dir, 'apt-get'), `#!/bin/sh\necho "$*" >> ${log}\nexit 1\n`);
    const run = await runStep({ pathDir: dir, extraEnv: { PARKER_TEST_MYSQL: testMysqlUrl() } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(existsSync(log), false, 'apt-get was called');
    assert.match(run.stderr, /machine ready for the tests/);
  });
});
