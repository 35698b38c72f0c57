import { Connection } from '@temporalio/client';
import type { Settings } from './config/settings.ts';
import { connectDb, migrate, sqlitePath, type Db } from './db/connect.ts';
import type { Logger } from './log.ts';
import { channelFeedOptions } from './library/feed-options.ts';
import { startLibraryServer, type RunningLibraryServer } from './library/server.ts';
import { installRuntime } from './telemetry/runtime.ts';
import { startTracing, type Tracing } from './telemetry/tracing.ts';
import { temporalEndpoint, type TemporalEndpoint } from './temporal/connect.ts';
import { registerSearchAttributes } from './temporal/search-attributes.ts';
import { ensureYtDlp } from './ytdlp/install.ts';

// What every long-running entry point (npm start, npm run worker) sets up before its
// workers, in order, and takes down after them: the library server (podcast feeds) too.

export interface ParkerServices {
  tracing: Tracing;
  endpoint: TemporalEndpoint;
  db: Db;
  /** Stops what was started, in reverse order. */
  close(): Promise<void>;
}

export async function startServices(settings: Settings, log: Logger): Promise<ParkerServices> {
  // Telemetry first: the Temporal runtime can be installed only before any worker connects.
  installRuntime(log, settings.telemetry);
  const tracing = startTracing(settings.telemetry);
  await ensureYtDlp(settings.ytdlp.path);
  const endpoint = await temporalEndpoint(settings, log);
  const db = connectDb(settings.databaseUrl, settings.dataDir, log);
  let library: RunningLibraryServer | undefined;
  const close = async () => {
    await library?.close();
    await tracing.shutdown();
    await db.destroy();
    await endpoint.devServer?.stop();
  };
  try {
    await migrate(db);
    // Podcast feeds of the library, when PARKER_HTTP_PORT asks for them.
    if (settings.libraryServer) {
      const { host, port, feedToken } = settings.libraryServer;
      library = await startLibraryServer(
        { db, downloadDir: settings.downloadDir, feedToken, feedOptions: channelFeedOptions(settings.configPath, log), log },
        { host, port },
      );
    }
    if (!endpoint.devServer) await registerOnCluster(endpoint, settings.temporal.namespace, log);
  } catch (error) {
    await close();
    throw error;
  }
  log.info(settings.databaseUrl ? 'database: MySQL from DATABASE_URL' : `database: ${sqlitePath(settings.dataDir)}`);
  return { tracing, endpoint, db, close };
}

/** Parker's search attributes on a configured cluster (the dev server has them from its command line). */
async function registerOnCluster(endpoint: TemporalEndpoint, namespace: string, log: Logger): Promise<void> {
  const connection = await Connection.connect(endpoint.connection);
  try {
    const added = await registerSearchAttributes(connection, namespace);
    if (added.length > 0) log.info({ namespace, added }, `registered search attributes ${added.join(', ')}`);
  } finally {
    await connection.close();
  }
}
