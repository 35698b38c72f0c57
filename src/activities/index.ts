import { createBackfillActivities } from './backfill.ts';
import { createCooldownActivities, type CooldownActivityDeps } from './cooldown.ts';
import { createCrawlActivities, type CrawlActivityDeps } from './crawl.ts';
import { createDownloadActivities, type DownloadActivityDeps } from './download.ts';
import { createMaintenanceActivities, type MaintenanceActivityDeps } from './maintenance.ts';

export type ActivityDeps = CrawlActivityDeps & DownloadActivityDeps & MaintenanceActivityDeps & CooldownActivityDeps;

/** All of Parker's activities, built from their dependencies by the worker. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCrawlActivities(deps),
    ...createBackfillActivities(deps),
    ...createDownloadActivities(deps),
    ...createMaintenanceActivities(deps),
    ...createCooldownActivities(deps),
  };
}
