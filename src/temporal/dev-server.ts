import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { PARKER_SEARCH_ATTRIBUTES } from '../shared/search-attributes.ts';

// A local Temporal dev server (`temporal server start-dev`), for `npm start` without a
// TEMPORAL_ADDRESS and for the tests. Bound to 127.0.0.1 only. Parker's search
// attributes are registered on its command line, so workflows can set them from the start.

export interface DevServerOptions {
  cliPath: string;
  /** Where the server keeps its state; workflows survive a restart of the server. */
  dbFile: string;
  port: number;
  /** Web UI port; leave undefined for a headless server. */
  uiPort?: number;
  namespace?: string;
  /** How long to wait for the server to answer. Two busy cores need more than the SDK's 5s. */
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--db-filename', options.dbFile,
    '--log-level', 'error',
    // One partition per task queue: the server splits a queue's rate limit (a site's
    // per_minute) among its partitions, and each would allow a burst of its own.
    '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
    ...PARKER_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ...(options.namespace && options.namespace !== 'default' ? ['--namespace', options.namespace] : []),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
  ];
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  for (;;) {
    if (exited) {
      throw new Error(
        `temporal server start-dev on ${address} ${exited}` +
          (stderr ? `:\n${stderr.trim()}` : '') +
          `\n(is port ${options.port} taken? Set TEMPORAL_ADDRESS to use a server that is already running.)`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`temporal dev server on ${address} did not answer in time: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    process: child,
    stop,
  };
}
