import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Settings } from '../../src/config/settings.ts';

// The `parker` command as a person runs it (`npx parker …` in the repo), with the
// environment pointing at a test worker's Temporal queue, database and folders.

const root = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment that makes the CLI talk to this worker's queue, database and files. */
export function cliEnv(settings: Settings, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: settings.temporal.address!,
    TEMPORAL_TASK_QUEUE: settings.temporal.taskQueue,
    DATABASE_URL: settings.databaseUrl!,
    DOWNLOAD_DIR: settings.downloadDir,
    PARKER_CONFIG: settings.configPath,
    PARKER_DATA_DIR: settings.dataDir,
    YTDLP_PATH: settings.ytdlp.path,
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('npx', ['--no-install', 'parker', ...args], { cwd: root, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs the command and fails with its output unless it exits 0. */
export async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const run = await runCli(args, env);
  if (run.code !== 0) throw new Error(`parker ${args.join(' ')} exited ${run.code}:\n${run.stderr}${run.stdout}`);
  return run.stdout;
}
