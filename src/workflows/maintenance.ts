import { ApplicationFailure, ParentClosePolicy, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  MAINTENANCE_STEPS,
  type ChannelKeepRule,
  type ChannelMaintenanceReport,
  type ChannelVerifyPlan,
  type ChannelVerifyReport,
  type MaintenanceInput,
  type MaintenanceReport,
} from '../shared/maintenance.ts';
import { downloadWorkflowTaskQueueFor } from '../shared/names.ts';
import { downloadVideo } from './download.ts';
import { MAINTENANCE, VERIFY_FILES } from './policies.ts';
import { mainQueue } from './task-queues.ts';
import { upgradeChannels } from './upgrade.ts';

const { loadKeepRules, listExpiredVideos, deleteExpiredVideo, loadVerifyPlan } = mainQueue(MAINTENANCE);
const { verifyChannelFiles } = mainQueue(VERIFY_FILES);

/**
 * The daily maintenance, in three steps. Retention: for each channel with a keep rule,
 * deletes the files of the downloaded videos the rule lets go and marks their rows.
 * Verify: for each channel of channels.yaml, checks that every downloaded file is still
 * there with its size (`sha256: true` hashes them too), finds a moved one by its sha256,
 * marks a lost one `missing` and, where the channel says `missing: redownload`, starts
 * its download again. Upgrade: for each channel with `upgrade: { within }`, replaces a
 * recent video's file with a better format once the site offers one (src/workflows/upgrade.ts).
 * `dryRun` changes nothing and reports what it would do. Files
 * outside the download folder are reported, never touched. The time a rule counts from
 * is the activity's: workflows have no clock of their own to read.
 */
export async function maintainChannels(input: MaintenanceInput = {}): Promise<MaintenanceReport> {
  // Typed by hand with `temporal workflow start --input`: refuse a shape we would misread.
  if (input.dryRun !== undefined && typeof input.dryRun !== 'boolean') {
    throw ApplicationFailure.nonRetryable('dryRun must be true or false', 'InvalidInput');
  }
  if (input.sha256 !== undefined && typeof input.sha256 !== 'boolean') {
    throw ApplicationFailure.nonRetryable('sha256 must be true or false', 'InvalidInput');
  }
  if (input.channels !== undefined && !Array.isArray(input.channels)) {
    throw ApplicationFailure.nonRetryable('channels must be a list of { channel, keep }', 'InvalidInput');
  }
  if (input.steps !== undefined && (!Array.isArray(input.steps) || input.steps.some((step) => !MAINTENANCE_STEPS.includes(step)))) {
    throw ApplicationFailure.nonRetryable(`steps must be a list of ${MAINTENANCE_STEPS.join(', ')}`, 'InvalidInput');
  }
  const dryRun = input.dryRun === true;
  const steps = input.steps ?? MAINTENANCE_STEPS;
  const report: MaintenanceReport = { dryRun, channels: [], verified: [], upgraded: [] };
  // Retention first: what it deletes is not verified as missing afterwards.
  if (steps.includes('retention')) report.channels = await applyRetention(input.channels ?? (await loadKeepRules()), dryRun);
  if (steps.includes('verify')) report.verified = await verifyFiles(await loadVerifyPlan(), dryRun, input.sha256 === true);
  // Last: a file verify found missing is not looked at for an upgrade.
  if (steps.includes('upgrade')) report.upgraded = await upgradeChannels(dryRun);
  return report;
}

async function applyRetention(rules: ChannelKeepRule[], dryRun: boolean): Promise<ChannelMaintenanceReport[]> {
  const reports: ChannelMaintenanceReport[] = [];
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
    reports.push(channel);
  }
  return reports;
}

async function verifyFiles(plan: ChannelVerifyPlan[], dryRun: boolean, sha256: boolean): Promise<ChannelVerifyReport[]> {
  const reports: ChannelVerifyReport[] = [];
  for (const channel of plan) {
    const result = await verifyChannelFiles({ channel: channel.channel, missing: channel.missing, sha256, dryRun });
    let started = 0;
    if (!dryRun) {
      for (const video of result.redownload) if (await downloadAgain(channel, video)) started++;
    }
    reports.push({ channel: channel.channel, missing: channel.missing, ...result, started });
  }
  return reports;
}

/**
 * Starts the download of a video whose file went missing, as a workflow of its own that
 * outlives this one. Its id is keyed by the lost file, so a second verify of the same loss
 * (or a retry of this one) is refused by the server instead of fetching it twice.
 */
async function downloadAgain(channel: ChannelVerifyPlan, video: { externalId: string; workflowId: string }): Promise<boolean> {
  try {
    await startChild(downloadVideo, {
      workflowId: video.workflowId,
      // Where only the workers with the download role look, as for a crawl's downloads.
      taskQueue: downloadWorkflowTaskQueueFor(workflowInfo().taskQueue),
      args: [{ channel: channel.channel, externalId: video.externalId, ...(channel.download ? { download: channel.download } : {}) }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      // No run or execution timeout: a download ends through its activities' own limits.
    });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}
