import path from 'node:path';
import type { Settings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { ensureTemporalCli } from './cli.ts';
import { temporalConnectionOptions, type TemporalConnectionOptions } from './connection-options.ts';
import { startDevServer, type DevServer } from './dev-server.ts';

// Where Parker finds Temporal: TEMPORAL_ADDRESS when set; otherwise a dev server that
// Parker starts itself, keeping its state in <data dir>/temporal.db.

export const EMBEDDED_PORT = 7233;
export const EMBEDDED_UI_PORT = 8233;
export const EMBEDDED_ADDRESS = `127.0.0.1:${EMBEDDED_PORT}`;

export interface TemporalEndpoint {
  address: string;
  /** The dev server Parker started, to stop on exit; undefined for a configured server. */
  devServer?: DevServer;
  /** What client and worker connections pass: the address, with TLS and API key when configured. */
  connection: TemporalConnectionOptions;
}

export async function temporalEndpoint(settings: Settings, log: Logger): Promise<TemporalEndpoint> {
  if (settings.temporal.address) {
    const address = settings.temporal.address;
    return { address, connection: await temporalConnectionOptions(settings.temporal, address) };
  }
  log.info('TEMPORAL_ADDRESS is not set: starting a local Temporal dev server');
  const devServer = await startDevServer({
    cliPath: await ensureTemporalCli(settings.temporal.cliPath),
    dbFile: path.join(settings.dataDir, 'temporal.db'),
    port: EMBEDDED_PORT,
    uiPort: EMBEDDED_UI_PORT,
    namespace: settings.temporal.namespace,
  });
  log.info(
    { address: devServer.address, webUi: devServer.uiUrl },
    `Temporal dev server running at ${devServer.address}; Web UI at ${devServer.uiUrl}`,
  );
  // Parker's own dev server listens on loopback without TLS.
  return { address: devServer.address, devServer, connection: { address: devServer.address } };
}
