import { createBackfillActivities } from './backfill.ts';
import { createCooldownActivities, type CooldownActivityDeps } from './cooldown.ts';
import { createCrawlActivities, type CrawlActivityDeps } from './crawl.ts';
import { createDownloadActivities, type DownloadActivityDeps } from './download.ts';
import { createMaintenanceActivities, type MaintenanceActivityDeps } from './maintenance.ts';
import { createVerifyActivities, type VerifyActivityDeps } from './verify.ts';
import { createMediaRefreshActivities, type MediaRefreshActivityDeps } from './media-refresh.ts';
import { createNotifyActivities, type NotifyActivityDeps } from './notify.ts';
import { createUpgradeActivities, type UpgradeActivityDeps } from './upgrade.ts';

// One activity factory per task queue, each registered on that queue's worker
// (src/worker.ts) and proxied with its own type (src/workflows/task-queues.ts), so that
// calling an activity on a queue whose workers do not run it is a type error:
//  - the main queue (crawl role): listing, recording, backfill, maintenance, verify and upgrade checks;
//  - the download workflows' queue (download role): resolving, recording a failure, cooldowns,
//    the media servers' refresh, notifications;
//  - the shared downloads queue: claiming a transfer for a host (claim.ts);
//  - a host's own queue: the transfer and what touches its part file (transfer.ts), and
//    a quality upgrade's download and swap (upgrade-transfer.ts).
// The main queue also keeps the download workflows' bookkeeping, for the downloads
// started on it before the roles split (and by anyone who starts one there by hand).

export { createClaimActivities, type ClaimActivities, type ClaimActivityDeps } from './claim.ts';
export { createHostActivities, type HostActivities, type HostActivityDeps } from './transfer.ts';

export type DownloadWorkflowActivityDeps = DownloadActivityDeps & CooldownActivityDeps & MediaRefreshActivityDeps & NotifyActivityDeps;

/**
 * The activities of the download workflows' own queue: the bookkeeping around a transfer,
 * and what a finished download starts beside it: the media servers' refresh and its
 * notifications (their workflows run on the same queue).
 */
export function createDownloadWorkflowActivities(deps: DownloadWorkflowActivityDeps) {
  return {
    ...createDownloadActivities(deps),
    ...createCooldownActivities(deps),
    ...createMediaRefreshActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type DownloadWorkflowActivities = ReturnType<typeof createDownloadWorkflowActivities>;

export type MainQueueActivityDeps = CrawlActivityDeps & MaintenanceActivityDeps & VerifyActivityDeps & UpgradeActivityDeps & DownloadWorkflowActivityDeps;

/** The activities of the main task queue, built from their dependencies by the worker. */
export function createMainQueueActivities(deps: MainQueueActivityDeps) {
  return {
    ...createCrawlActivities(deps),
    ...createBackfillActivities(deps),
    ...createMaintenanceActivities(deps),
    ...createVerifyActivities(deps),
    ...createUpgradeActivities(deps),
    ...createDownloadWorkflowActivities(deps),
  };
}

export type MainQueueActivities = ReturnType<typeof createMainQueueActivities>;
