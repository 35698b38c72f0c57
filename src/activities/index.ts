import { createBackfillActivities } from './backfill.ts';
import { createCooldownActivities, type CooldownActivityDeps } from './cooldown.ts';
import { createCrawlActivities, type CrawlActivityDeps } from './crawl.ts';
import { createDownloadActivities, type DownloadActivityDeps } from './download.ts';
import { createMaintenanceActivities, type MaintenanceActivityDeps } from './maintenance.ts';
import { createNotifyActivities, type NotifyActivityDeps } from './notify.ts';

// One activity factory per task queue, each registered on that queue's worker
// (src/worker.ts) and proxied with its own type (src/workflows/task-queues.ts), so that
// calling an activity on a queue whose workers do not run it is a type error:
//  - the main queue: listing, recording, resolving, cooldowns, maintenance, notifications (any worker);
//  - the shared downloads queue: claiming a transfer for a host (claim.ts);
//  - a host's own queue: the transfer and what touches its part file (transfer.ts).

export { createClaimActivities, type ClaimActivities, type ClaimActivityDeps } from './claim.ts';
export { createHostActivities, type HostActivities, type HostActivityDeps } from './transfer.ts';

export type MainQueueActivityDeps = CrawlActivityDeps &
  MaintenanceActivityDeps &
  CooldownActivityDeps &
  DownloadActivityDeps &
  NotifyActivityDeps;

/** The activities of the main task queue, built from their dependencies by the worker. */
export function createMainQueueActivities(deps: MainQueueActivityDeps) {
  return {
    ...createCrawlActivities(deps),
    ...createBackfillActivities(deps),
    ...createDownloadActivities(deps),
    ...createMaintenanceActivities(deps),
    ...createCooldownActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type MainQueueActivities = ReturnType<typeof createMainQueueActivities>;
