import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { loadSettings } from './config/settings.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { createLogger } from './log.ts';
import { MAINTENANCE_WORKFLOW } from './shared/names.ts';
import type { MaintenanceInput, MaintenanceReport } from './shared/maintenance.ts';
import { EMBEDDED_ADDRESS } from './temporal/connect.ts';
import { temporalConnectionOptions } from './temporal/connection-options.ts';

// `npm run verify`: the maintenance workflow's verify step alone, now, on a running
// Parker (its worker does the checking: it has the download folder). Prints what it
// found per channel; exits 1 when a file is missing, changed or outside DOWNLOAD_DIR.
//
//   npm run verify                      presence and size of every downloaded file
//   npm run verify -- --sha256          and their sha256 (throttled: PARKER_VERIFY_BYTES_PER_SECOND)
//   npm run verify -- --dry-run         report only: mark no row, start no download

async function main(): Promise<void> {
  const options = new Command('verify')
    .option('--sha256', 'hash every file and compare with its stored sha256')
    .option('--dry-run', 'change nothing, report what would be done')
    .parse()
    .opts<{ sha256?: boolean; dryRun?: boolean }>();
  const settings = loadSettings();
  const log = createLogger(settings.logLevel);
  const address = settings.temporal.address ?? EMBEDDED_ADDRESS;
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...(await temporalConnectionOptions(settings.temporal, address)), connectTimeout: 5_000 });
  } catch (error) {
    throw new Error(`no Temporal server answers at ${address} (${(error as Error).message}); start Parker with \`npm start\` or set TEMPORAL_ADDRESS`);
  }
  try {
    const client = new Client({ connection, namespace: settings.temporal.namespace });
    const input: MaintenanceInput = { steps: ['verify'], sha256: options.sha256 === true, dryRun: options.dryRun === true };
    const report = await client.workflow.execute<(input: MaintenanceInput) => Promise<MaintenanceReport>>(MAINTENANCE_WORKFLOW, {
      taskQueue: settings.temporal.taskQueue,
      workflowId: `parker-verify-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      args: [input],
    });
    let troubles = 0;
    for (const channel of report.verified) {
      const { moved, missing, changed, outside } = channel.counts;
      troubles += missing + changed + outside;
      log.info({ channel: channel.channel, checked: channel.checked, ...channel.counts, downloadsStarted: channel.started }, `verify: ${channel.channel}`);
      for (const video of channel.found) log.warn({ channel: channel.channel, videoId: video.externalId, verdict: video.verdict, movedTo: video.movedTo, reason: video.reason }, video.filePath);
      if (moved + missing + changed + outside > channel.found.length) log.warn(`verify: ${channel.channel}: more findings than listed; see the workflow's result`);
    }
    if (troubles > 0) process.exitCode = 1;
  } finally {
    await connection.close();
  }
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker verify', main);
