import { ApplicationFailure } from '@temporalio/workflow';
import type { ChannelKeepRule, ChannelMaintenanceReport, MaintenanceInput, MaintenanceReport } from '../shared/maintenance.ts';
import { MAINTENANCE } from './policies.ts';
import { mainQueue } from './task-queues.ts';

const { loadKeepRules, listExpiredVideos, deleteExpiredVideo } = mainQueue(MAINTENANCE);

/**
 * The daily maintenance: for each channel with a keep rule, deletes the files of the
 * downloaded videos the rule lets go and marks their rows. `dryRun` lists what it would
 * delete and deletes nothing. Files outside the download folder are reported, never
 * touched. The time a rule counts from is the activity's: workflows have no clock of
 * their own to read.
 */
export async function maintainChannels(input: MaintenanceInput = {}): Promise<MaintenanceReport> {
  // Typed by hand with `temporal workflow start --input`: refuse a shape we would misread.
  if (input.dryRun !== undefined && typeof input.dryRun !== 'boolean') {
    throw ApplicationFailure.nonRetryable('dryRun must be true or false', 'InvalidInput');
  }
  if (input.channels !== undefined && !Array.isArray(input.channels)) {
    throw ApplicationFailure.nonRetryable('channels must be a list of { channel, keep }', 'InvalidInput');
  }
  const dryRun = input.dryRun === true;
  const rules: ChannelKeepRule[] = input.channels ?? (await loadKeepRules());
  const report: MaintenanceReport = { dryRun, channels: [] };
  // One channel at a time, one video at a time: maintenance is never in a hurry, and
  // this keeps the load on the disk and the database low.
  for (const rule of rules) {
    const expired = await listExpiredVideos({ channel: rule.channel, keep: rule.keep });
    const channel: ChannelMaintenanceReport = { channel: rule.channel, keep: rule.keep, deleted: [], refused: [] };
    for (const video of expired) {
      if (video.verdict !== 'delete') {
        channel.refused.push(video);
      } else if (dryRun) {
        channel.deleted.push(video);
      } else {
        const done = await deleteExpiredVideo({ id: video.id, externalId: video.externalId, filePath: video.filePath });
        (done.verdict === 'delete' ? channel.deleted : channel.refused).push(done);
      }
    }
    report.channels.push(channel);
  }
  return report;
}
