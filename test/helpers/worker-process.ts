import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../../src/config/settings.ts';
import { productionNodeFlags } from './production-node.ts';

// Runs `src/worker.ts`, the real entry point, as a separate process, so a test can kill
// it with SIGKILL the way a crash or an OOM killer would.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** node's arguments for the worker from its sources, under tsx (what the tests run). */
export const SOURCE_WORKER = ['--import', 'tsx', path.join(root, 'src', 'worker.ts')];
/** node's arguments for the compiled worker of `npm run build`, as production runs it (the Dockerfile's flags). */
export const COMPILED_WORKER = [...productionNodeFlags(), path.join(root, 'dist', 'worker.js')];

export interface WorkerProcess {
  child: ChildProcess;
  /** Output so far, for a failure message. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startWorkerProcess(
  settings: Settings,
  timeoutMs = 60_000,
  extraEnv: Record<string, string> = {},
  nodeArgs: readonly string[] = SOURCE_WORKER,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: settings.temporal.address,
      TEMPORAL_TASK_QUEUE: settings.temporal.taskQueue,
      DATABASE_URL: settings.databaseUrl,
      DOWNLOAD_DIR: settings.downloadDir,
      PARKER_DATA_DIR: settings.dataDir,
      PARKER_CONFIG: settings.configPath,
      PARKER_MAX_DOWNLOADS: String(settings.maxDownloads),
      PARKER_SITE_COOLDOWN: `${settings.siteCooldownMs}ms`,
      PARKER_DISK_FULL_PAUSE: `${settings.diskFullPauseMs}ms`,
      PARKER_RETRY_DELAYS: settings.retryDelaysMs.map((delay) => `${delay}ms`).join(','),
      PARKER_ALLOW_PRIVATE: settings.allowPrivate.join(','),
      PARKER_HOST_ID: settings.hostId,
      PARKER_WORKER_ROLES: Object.entries(settings.roles).filter(([, on]) => on).map(([role]) => role).join(','),
      LOG_LEVEL: 'info',
      YTDLP_PATH: settings.ytdlp.path,
      APPRISE_PATH: settings.apprisePath,
      PARKER_ALLOW_OUTDATED_YTDLP: settings.ytdlp.allowOutdated ? '1' : '0',
      YOUTUBE_BASE_URL: settings.youtubeBaseUrl,
      PARKER_METRICS_PORT: settings.telemetry.metrics ? String(settings.telemetry.metrics.port) : '',
      PARKER_METRICS_HOST: settings.telemetry.metrics?.host ?? '',
      OTEL_EXPORTER_OTLP_ENDPOINT: settings.telemetry.otlpEndpoint ?? '',
      ...extraEnv,
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + timeoutMs;
  while (!output.includes('worker running')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start within ${timeoutMs}ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    output: () => output,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
