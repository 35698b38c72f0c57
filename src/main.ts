import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadChannelList } from './config/channels.ts';
import { loadSettings, type Settings } from './config/settings.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { createLogger, type Logger } from './log.ts';
import { syncFromChannelList } from './schedule.ts';
import { startServices } from './services.ts';
import { createWorkers, runWorkers } from './worker.ts';

// `npm start`: everything in one process. Temporal (TEMPORAL_ADDRESS, or a dev server
// Parker starts), the database (DATABASE_URL, or ./data/parker.sqlite), schedules from
// channels.yaml, and the worker, until Ctrl-C.

/** Runs Parker until its workers are stopped by a signal. */
export async function runParker(settings: Settings, log: Logger): Promise<void> {
  const { tracing, endpoint, db, close } = await startServices(settings, log);
  try {
    const connection = await Connection.connect(endpoint.connection);
    const client = new Client({ connection, namespace: settings.temporal.namespace });
    if (existsSync(settings.configPath)) {
      await syncFromChannelList(client, await loadChannelList(settings.configPath), settings, log);
    } else {
      log.warn(`no channel list at ${settings.configPath}: copy channels.example.yaml there, or set PARKER_CONFIG`);
    }
    await connection.close();

    const workerConnection = await NativeConnection.connect(endpoint.connection);
    const workers = await createWorkers({ connection: workerConnection, settings, db, tracing, log });
    log.info(
      { taskQueue: settings.temporal.taskQueue, downloadDir: settings.downloadDir, maxDownloads: settings.maxDownloads },
      endpoint.devServer
        ? `Parker is running. Web UI: ${endpoint.devServer.uiUrl} (Ctrl-C stops)`
        : 'Parker is running (Ctrl-C stops)',
    );
    await runWorkers(workers);
    await workerConnection.close();
    log.info('Parker stopped');
  } finally {
    await close();
  }
}

if (isEntryPoint(import.meta.url)) {
  runEntryPoint('parker', async () => {
    const settings = loadSettings();
    await runParker(settings, createLogger(settings.logLevel, { format: settings.logFormat }));
  });
}
