import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { loadChannelList } from '../config/channels.ts';
import { migrationSource } from '../db/migrations/index.ts';
import { missingSearchAttributes, registerByHand } from '../temporal/search-attributes.ts';
import { getDiskFullUntil } from '../db/cooldowns.ts';
import { bundledDenoRuntime } from '../ytdlp/js-runtime.ts';
import { AddressPolicy } from '../http/address-policy.ts';
import { inspectYtDlp, optionalWarnings, youtubeWarnings } from '../ytdlp/setup.ts';
import { checkYtDlp } from '../ytdlp/version.ts';
import { withContext } from './command.ts';
import type { CliContext } from './context.ts';
import { formatBytes, printJson } from './output.ts';

// `parker doctor`: is everything Parker needs there? One line per check; a failed one
// says what to do. Exits 1 when any check failed, so a script or a deploy notices.

export interface CheckResult {
  check: string;
  ok: boolean;
  /** What was found, or what is wrong. */
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

type Check = (context: CliContext) => Promise<Omit<CheckResult, 'check'>>;

/** Below this, DOWNLOAD_DIR's check fails: a video or two would fill it. */
const MIN_FREE_BYTES = 1024 ** 3;

const run = promisify(execFile);

const checks: Array<[string, Check]> = [
  [
    'temporal',
    async (context) => {
      const { connection } = await context.temporal();
      const namespace = context.settings.temporal.namespace;
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch (error) {
        return {
          ok: false,
          detail: `${context.temporalAddress} answers, but namespace ${namespace}: ${(error as Error).message}`,
          fix: `create it with \`temporal operator namespace create --namespace ${namespace}\`, or set TEMPORAL_NAMESPACE`,
        };
      }
      return { ok: true, detail: `${context.temporalAddress}, namespace ${namespace}` };
    },
  ],
  [
    'search attributes',
    async (context) => {
      const { connection } = await context.temporal();
      const namespace = context.settings.temporal.namespace;
      const missing = await missingSearchAttributes(connection, namespace);
      if (missing.length === 0) return { ok: true, detail: 'ParkerChannel, ParkerVideoId, ParkerStatus registered' };
      return {
        ok: false,
        detail: `${missing.join(', ')} not registered in namespace ${namespace}`,
        fix: `start the worker once (it registers them), or run \`${registerByHand(namespace, missing)}\``,
      };
    },
  ],
  [
    'database',
    async (context) => {
      const where = context.settings.databaseUrl ? 'DATABASE_URL' : `the SQLite file in ${context.settings.dataDir}`;
      const [, pending] = (await context.db().migrate.list({ migrationSource })) as [unknown[], unknown[]];
      if (pending.length > 0) {
        return { ok: false, detail: `${where}: ${pending.length} migration(s) not applied`, fix: 'run `npm run migrate` (or start Parker, which migrates)' };
      }
      return { ok: true, detail: `${where}, schema current` };
    },
  ],
  [
    'yt-dlp',
    async (context) => {
      const { path: binary, allowOutdated, jsRuntime, potProviderUrl } = context.settings.ytdlp;
      const version = await checkYtDlp(binary, { allowOutdated });
      // What the worker would hand it: PARKER_JS_RUNTIME, else the Deno from node_modules;
      // and the optional parts asked for (a PO-token provider, curl-cffi), checked as at start.
      const invocation = { binary, jsRuntime: jsRuntime ?? bundledDenoRuntime(), ...(potProviderUrl ? { potProviderUrl } : {}) };
      const report = await inspectYtDlp(invocation, version);
      const warnings = [
        ...youtubeWarnings(report, invocation.jsRuntime),
        ...optionalWarnings(report, invocation, new AddressPolicy(context.settings.allowPrivate)),
      ];
      const found = `${version} at ${binary}, JS runtime ${report.jsRuntimes.join(', ') || 'none'}, yt-dlp-ejs ${report.ejsVersion ?? 'missing'}`;
      if (warnings.length > 0) return { ok: false, detail: found, fix: warnings.join(' ') };
      return { ok: true, detail: found };
    },
  ],
  [
    'ffmpeg',
    async () => {
      const { stdout } = await run('ffmpeg', ['-version'], { timeout: 10_000 });
      return { ok: true, detail: stdout.split('\n')[0]!.trim() };
    },
  ],
  [
    'download folder',
    async (context) => {
      const folder = context.settings.downloadDir;
      await access(folder, constants.W_OK);
      // Access bits are not the whole story (read-only mounts, ACLs): write something.
      await rm(await mkdtemp(path.join(folder, '.parker-doctor-')), { recursive: true });
      const stats = await statfs(folder);
      const free = Number(stats.bavail) * Number(stats.bsize);
      if (free < MIN_FREE_BYTES) {
        return { ok: false, detail: `${folder}: only ${formatBytes(free)} free`, fix: 'free some space there, or point DOWNLOAD_DIR at a larger disk' };
      }
      return { ok: true, detail: `${folder} writable, ${formatBytes(free)} free` };
    },
  ],
  [
    'full-disk pause',
    async (context) => {
      // Set by a transfer that met ENOSPC: this host's transfers wait until it ends.
      const until = await getDiskFullUntil(context.db(), context.settings.hostId);
      if (until && until.getTime() > Date.now()) {
        return {
          ok: false,
          detail: `${context.settings.downloadDir} was found full: host ${context.settings.hostId}'s transfers wait until ${until.toISOString()}`,
          fix: 'free some space there; the waiting downloads go on by themselves when the pause ends',
        };
      }
      return { ok: true, detail: `host ${context.settings.hostId}'s transfers are not paused` };
    },
  ],
  [
    'channels.yaml',
    async (context) => {
      const list = await loadChannelList(context.settings.configPath);
      if (list.problems.length > 0) {
        return { ok: false, detail: list.problems.map((problem) => problem.message).join('; '), fix: `fix the entries in ${list.file}` };
      }
      return { ok: true, detail: `${list.file}: ${list.channels.length} channel(s)` };
    },
  ],
];

/** What to do when a check threw instead of answering, by check. */
const FIX_WHEN_THROWN: Record<string, string> = {
  temporal: 'start Parker with `npm start`, or set TEMPORAL_ADDRESS to your server',
  'search attributes': 'check the Temporal connection first',
  database: 'check DATABASE_URL (mysql://user:password@host:3306/db) and that the server is running',
  'yt-dlp': 'run scripts/ensure-ytdlp.sh, or set YTDLP_PATH',
  ffmpeg: 'install ffmpeg (apt-get install ffmpeg); yt-dlp needs it to merge formats',
  'download folder': 'create the folder and make it writable for Parker, or set DOWNLOAD_DIR',
  'full-disk pause': 'check the database first',
  'channels.yaml': 'copy channels.example.yaml to channels.yaml, or set PARKER_CONFIG',
};

export async function runChecks(context: CliContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [check, body] of checks) {
    try {
      results.push({ check, ...(await body(context)) });
    } catch (error) {
      results.push({ check, ok: false, detail: (error as Error).message.split('\n')[0]!, fix: FIX_WHEN_THROWN[check] });
    }
  }
  return results;
}

async function doctor(context: CliContext, options: { json?: boolean }): Promise<void> {
  const results = await runChecks(context);
  if (options.json) printJson(results);
  else {
    for (const result of results) {
      process.stdout.write(`${result.ok ? 'ok  ' : 'FAIL'} ${result.check}: ${result.detail}${result.fix ? ` — ${result.fix}` : ''}\n`);
    }
  }
  if (results.some((result) => !result.ok)) process.exitCode = 1;
}

export function registerDoctorCommand(program: Command): void {
  program.command('doctor').description('check everything Parker needs, one line each').option('--json', 'print JSON').action(withContext(doctor));
}
