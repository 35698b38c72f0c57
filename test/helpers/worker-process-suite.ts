import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../../src/config/settings.ts';
import { connectDb, type Db } from '../../src/db/connect.ts';
import { FixtureServer } from './fixture-server.ts';
import { services } from './services.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';

// What a test file that runs Parker as worker processes (so as to kill them) shares: a
// fixture server, the database, a Temporal client and a scratch folder, set up before its
// tests; every worker it started is killed, and the rest torn down, after them.

export interface WorkerProcessSuite {
  server: FixtureServer;
  db: Db;
  client: Client;
  scratch: string;
  /** The workers started so far, oldest first. */
  workers: WorkerProcess[];
  /** @param nodeArgs what node runs (default: the sources under tsx) */
  startWorker(settings: Settings, extraEnv?: Record<string, string>, nodeArgs?: readonly string[]): Promise<WorkerProcess>;
}

/**
 * @param options.scratchPrefix names the scratch folder in the temp dir
 * @param options.host the loopback address the fixture server listens on (a site of the file's own)
 */
export function workerProcessSuite(options: { scratchPrefix: string; host?: string }): WorkerProcessSuite {
  let connection: Connection | undefined;
  const suite = {
    workers: [] as WorkerProcess[],
    async startWorker(settings: Settings, extraEnv: Record<string, string> = {}, nodeArgs?: readonly string[]) {
      const worker = await startWorkerProcess(settings, 60_000, extraEnv, nodeArgs);
      suite.workers.push(worker);
      return worker;
    },
  } as WorkerProcessSuite;
  before(async () => {
    suite.server = await FixtureServer.start(0, options.host);
    suite.db = connectDb(services.databaseUrl, os.tmpdir());
    connection = await Connection.connect({ address: services.temporalAddress });
    suite.client = new Client({ connection });
    suite.scratch = mkdtempSync(path.join(os.tmpdir(), options.scratchPrefix));
  });
  after(async () => {
    for (const worker of suite.workers) await worker.kill('SIGKILL');
    await connection?.close();
    await suite.db?.destroy();
    await suite.server?.close();
    if (suite.scratch) rmSync(suite.scratch, { recursive: true, force: true });
  });
  return suite;
}
