import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config/settings.ts';
import { connectDb, type Db } from '../db/connect.ts';
import { EMBEDDED_ADDRESS } from '../temporal/connect.ts';
import { temporalConnectionOptions } from '../temporal/connection-options.ts';

// What a parker command works with: the settings, and Temporal and the database, each
// connected on first use only (`channels add` needs no database, `videos list` no
// Temporal) and closed when the command ends.

/** A failure the user can act on; its message is one sentence that says what to do. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface CliContext {
  settings: Settings;
  /** host:port of the Temporal server the commands talk to. */
  temporalAddress: string;
  temporal(): Promise<{ client: Client; connection: Connection }>;
  db(): Db;
  close(): Promise<void>;
}

export function createContext(settings: Settings): CliContext {
  const temporalAddress = settings.temporal.address ?? EMBEDDED_ADDRESS;
  let temporal: Promise<{ client: Client; connection: Connection }> | undefined;
  let db: Db | undefined;

  async function connect(): Promise<{ client: Client; connection: Connection }> {
    let connection: Connection;
    try {
      connection = await Connection.connect({
        ...(await temporalConnectionOptions(settings.temporal, temporalAddress)),
        connectTimeout: 5_000,
      });
    } catch (error) {
      throw new CliError(
        `no Temporal server answers at ${temporalAddress} (${(error as Error).message}): start Parker with \`npm start\`, or set TEMPORAL_ADDRESS to your server`,
        { cause: error },
      );
    }
    return { connection, client: new Client({ connection, namespace: settings.temporal.namespace }) };
  }

  return {
    settings,
    temporalAddress,
    temporal: () => (temporal ??= connect()),
    db: () => (db ??= connectDb(settings.databaseUrl, settings.dataDir)),
    async close() {
      if (temporal) await (await temporal.catch(() => undefined))?.connection.close();
      await db?.destroy();
    },
  };
}

/** The Web UI page of a workflow, when the UI's address is known (TEMPORAL_UI_URL). */
export function workflowLink(settings: Settings, workflowId: string): string | undefined {
  if (!settings.temporal.uiUrl) return undefined;
  return `${settings.temporal.uiUrl}/namespaces/${encodeURIComponent(settings.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
