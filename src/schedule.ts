import { Client, Connection } from '@temporalio/client';
import { loadChannelList, type ChannelList } from './config/channels.ts';
import { loadSettings, type Settings } from './config/settings.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import { syncMaintenanceSchedule } from './temporal/maintenance-schedule.ts';
import { syncSchedules, type SyncReport } from './temporal/channel-schedules.ts';
import { EMBEDDED_ADDRESS } from './temporal/connect.ts';
import { temporalConnectionOptions } from './temporal/connection-options.ts';
import { registerSearchAttributes } from './temporal/search-attributes.ts';

// `npm run schedules`: make Temporal's schedules match channels.yaml. Broken channel
// entries are reported and left out; every good one is still scheduled. Exits non-zero
// when any entry was broken, so a deploy notices.

/** Syncs the schedules from a loaded channel list and logs what changed and what is wrong. */
export async function syncFromChannelList(
  client: Client,
  list: ChannelList,
  settings: Settings,
  log: Logger,
): Promise<SyncReport> {
  for (const problem of list.problems) log.error({ channel: problem.channel }, problem.message);
  const report = await syncSchedules(client, list.channels, {
    taskQueue: settings.temporal.taskQueue,
    keep: list.problems.map((problem) => problem.channel),
  });
  // Daily retention, with the keep rules of the channels read fine this time.
  const maintenance = await syncMaintenanceSchedule(client, list.channels, { taskQueue: settings.temporal.taskQueue });
  log.info(
    {
      created: report.created,
      updated: report.updated,
      deleted: report.deleted,
      unchanged: report.unchanged.length,
      maintenance,
    },
    `schedules synced from ${list.file}`,
  );
  return report;
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings.logLevel, { format: settings.logFormat });
  const list = await loadChannelList(settings.configPath);
  const address = settings.temporal.address ?? EMBEDDED_ADDRESS;
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...(await temporalConnectionOptions(settings.temporal, address)),
      connectTimeout: 5_000,
    });
  } catch (error) {
    throw new Error(
      `no Temporal server answers at ${address} (${(error as Error).message}); start Parker with \`npm start\` or set TEMPORAL_ADDRESS`,
    );
  }
  try {
    // The schedules' crawls carry ParkerChannel: the server refuses an unregistered one.
    await registerSearchAttributes(connection, settings.temporal.namespace);
    const client = new Client({ connection, namespace: settings.temporal.namespace });
    await syncFromChannelList(client, list, settings, log);
    if (list.problems.length > 0) process.exitCode = 1;
  } finally {
    await connection.close();
  }
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker schedules', main);
