import { ActivityFailure, log } from '@temporalio/workflow';
import { FailureType } from '../shared/failure-types.ts';
import { failureLabel, rootCause } from '../shared/failure-label.ts';
import type { ChannelUpgradePlan, ChannelUpgradeReport, UpgradeTarget } from '../shared/upgrade.ts';
import { requestMediaRefresh } from './media-refresh.ts';
import { CLAIM_HOST, FILE_AND_DATABASE, MAINTENANCE, MEDIA_TRANSFER, UPGRADE_CHECK } from './policies.ts';
import { claimQueue, hostQueue, mainQueue } from './task-queues.ts';

const { loadUpgradePlan, listUpgradeCandidates } = mainQueue(MAINTENANCE);
const { checkVideoUpgrade } = mainQueue(UPGRADE_CHECK);

// The maintenance's upgrade step: for each channel with `upgrade: { within }`, each video
// downloaded within that long and not asked about in the last day is checked; where the
// site now offers a better format (a greater height), that format is downloaded beside
// the file on a host and swapped in. One video at a time: maintenance is never in a hurry.
// Site cooldowns are not waited for: a throttled check or download ends the channel's
// step for the day.

function reasonOf(error: ActivityFailure): string {
  const cause = rootCause(error);
  return cause instanceof Error ? cause.message : error.message;
}

/** The upgrade step for the channels of channels.yaml (loaded by an activity). */
export async function upgradeChannels(dryRun: boolean): Promise<ChannelUpgradeReport[]> {
  const reports: ChannelUpgradeReport[] = [];
  for (const plan of await loadUpgradePlan()) reports.push(await upgradeChannel(plan, dryRun));
  return reports;
}

async function upgradeChannel(plan: ChannelUpgradePlan, dryRun: boolean): Promise<ChannelUpgradeReport> {
  const report: ChannelUpgradeReport = { channel: plan.channel, checked: 0, upgraded: [], failed: [] };
  for (const candidate of await listUpgradeCandidates({ channel: plan.channel, withinMs: plan.withinMs })) {
    const video = { channel: plan.channel, externalId: candidate.externalId };
    try {
      report.checked++;
      const check = await checkVideoUpgrade({ ...video, ...(plan.download ? { download: plan.download } : {}), ...(dryRun ? { dryRun } : {}) });
      if (!check.better) continue;
      if (dryRun) report.upgraded.push({ externalId: video.externalId, from: check.target.from, to: check.target.to });
      else report.upgraded.push(await upgradeVideo(plan, video, check.target, check.claimTaskQueue));
    } catch (error) {
      // One video's trouble (a site that refuses, a host that is gone) is reported; the next day tries again.
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('video upgrade failed', { ...video, reason: reasonOf(error) });
      report.failed.push({ externalId: video.externalId, reason: reasonOf(error) });
      // Upgrades are never urgent: a site that throttles is left alone until the next day.
      if (failureLabel(error) === FailureType.RateLimited) break;
    }
  }
  if (!dryRun && report.upgraded.length > 0 && plan.download?.mediaRefresh) await requestMediaRefresh();
  return report;
}

/**
 * Downloads the better format on a host (where the file is, as for a download), then
 * swaps it in. A failed download removes what it left; the video's file is untouched.
 */
async function upgradeVideo(plan: ChannelUpgradePlan, video: { channel: string; externalId: string }, target: UpgradeTarget, claimTaskQueue: string) {
  const { claimDownloadHost } = claimQueue(claimTaskQueue, CLAIM_HOST);
  const { startAt, ...host } = await claimDownloadHost();
  const transfer = hostQueue(host, MEDIA_TRANSFER);
  const files = hostQueue(host, FILE_AND_DATABASE);
  const media = await transfer
    .downloadUpgrade({
      target,
      channel: video.channel,
      videoId: video.externalId,
      ...(plan.download ? { options: plan.download } : {}),
      ...(startAt === undefined ? {} : { startAt }),
    })
    .catch(async (error: unknown) => {
      try {
        await files.discardUpgrade({ target });
      } catch (discardError) {
        // A host that is gone keeps its work folder; the next try there starts by removing it.
        if (!(discardError instanceof ActivityFailure)) throw discardError;
      }
      throw error;
    });
  return files.swapUpgrade({ video, target, media });
}
