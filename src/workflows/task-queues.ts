import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { ClaimActivities, DownloadWorkflowActivities, HostActivities, MainQueueActivities } from '../activities/index.ts';
import type { DownloadHost } from '../shared/download.ts';
import { ON_HOST } from './policies.ts';

// Which activity runs on which task queue, in the types: each proxy is typed with the
// activities that queue's workers register (src/activities/index.ts), so a host's
// transfer cannot be scheduled on the main queue by mistake.

/** The workflow's own task queue: listing, database, cooldowns, maintenance. */
export function mainQueue(options: ActivityOptions) {
  return proxyActivities<MainQueueActivities>(options);
}

/**
 * The main queue's activities as local activities, run by the worker that runs the
 * workflow: the crawl's workers register them.
 */
export function mainQueueLocal(options: LocalActivityOptions) {
  return proxyLocalActivities<MainQueueActivities>(options);
}

/** The download workflow's own task queue: its bookkeeping before and after the transfer. */
export function downloadWorkflowQueue(options: ActivityOptions) {
  return proxyActivities<DownloadWorkflowActivities>(options);
}

/**
 * The same bookkeeping as local activities, run by the worker that runs the download
 * workflow: it registers them, on the download workflows' queue and on the main queue alike.
 */
export function downloadWorkflowLocal(options: LocalActivityOptions) {
  return proxyLocalActivities<DownloadWorkflowActivities>(options);
}

/** A queue polled by every downloads worker (`taskQueue`, as resolve named it): the first free host claims a transfer. */
export function claimQueue(taskQueue: string, options: ActivityOptions) {
  return proxyActivities<ClaimActivities>({ ...options, taskQueue });
}

/** One host's own queue, where its part file is; a host that does not pick the task up in time is taken as gone. */
export function hostQueue(host: DownloadHost, options: ActivityOptions) {
  return proxyActivities<HostActivities>({ ...options, ...ON_HOST, taskQueue: host.taskQueue });
}
