// Ids and names that several parts of Parker must agree on. Sandbox-safe: no I/O.

/** The schedule that crawls one channel. */
export function scheduleIdFor(channel: string): string {
  return `${SCHEDULE_ID_PREFIX}${channel}`;
}

export const SCHEDULE_ID_PREFIX = 'parker-channel-';

/** Base id of the crawl workflows a channel's schedule starts (the server appends the time). */
export function crawlWorkflowIdFor(channel: string): string {
  return `parker-crawl-${channel}`;
}

/**
 * The one backfill of a channel. A fixed id: a second crawl cannot start a second
 * backfill while one runs, and a restarted one goes on where the database says.
 */
export function backfillWorkflowIdFor(channel: string): string {
  return `parker-backfill-${channel}`;
}

/**
 * The task queue of the download workflows and their bookkeeping, polled by the workers
 * with the `download` role only: a crawl never runs there. (`taskQueue`, the main queue,
 * has the crawls, backfills and maintenance, polled by the `crawl` role.)
 */
export function downloadWorkflowTaskQueueFor(taskQueue: string): string {
  return `${taskQueue}-download-workflows`;
}

/** The task queue shared by every downloads worker, where the first free host claims a transfer. */
export function downloadTaskQueueFor(taskQueue: string): string {
  return `${taskQueue}-downloads`;
}

/** The task queue of one host, where its pinned transfers and renames run. */
export function hostTaskQueueFor(taskQueue: string, hostId: string): string {
  return `${taskQueue}-host-${hostId}`;
}

// A site of `sites:` in channels.yaml has a claim queue and host queues of its own, so
// that its limits apply to its transfers alone. ":" is in neither a host id nor a site name.

/** The claim queue of one site: Temporal limits the rate of transfers handed out on it. */
export function siteDownloadTaskQueueFor(taskQueue: string, site: string): string {
  return `${downloadTaskQueueFor(taskQueue)}:${site}`;
}

/** One host's queue for one site's transfers: its slots bound that site's transfers on the host. */
export function siteHostTaskQueueFor(taskQueue: string, hostId: string, site: string): string {
  return `${hostTaskQueueFor(taskQueue, hostId)}:${site}`;
}

export const CRAWL_WORKFLOW = 'crawlChannel';
export const DOWNLOAD_WORKFLOW = 'downloadVideo';
export const MAINTENANCE_WORKFLOW = 'maintainChannels';

/**
 * The schedule of the daily maintenance. Outside SCHEDULE_ID_PREFIX on purpose: the
 * channel cleanup deletes what carries that prefix and is not in channels.yaml.
 */
export const MAINTENANCE_SCHEDULE_ID = 'parker-maintenance';
