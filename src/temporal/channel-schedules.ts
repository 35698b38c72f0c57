import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleSummary } from '@temporalio/client';
import type { ChannelConfig } from '../config/channels.ts';
import ms from 'ms';
import { CRAWL_WORKFLOW, crawlWorkflowIdFor, SCHEDULE_ID_PREFIX, scheduleIdFor } from '../shared/names.ts';
import { PARKER_CHANNEL } from '../shared/search-attributes.ts';
import type { CrawlInput } from '../shared/crawl.ts';
import { mapConcurrently } from './concurrently.ts';
import { scheduleOffsetMs } from './schedule-offset.ts';
import { describeOrUndefined, isManagedByParker, upsertSchedule, type DesiredSchedule } from './upsert-schedule.ts';

// Makes the Temporal Schedules match channels.yaml: one schedule per channel, created
// when missing, updated when changed, deleted when the channel left the file. Running it
// twice changes nothing.

/**
 * Channels synced side by side. One the schedule list shows unchanged costs nothing more;
 * any other costs a describe, plus a create or an update when it changed; 16 in flight
 * took 1,000 creates from minutes to seconds (BENCHMARKS.md).
 */
const SYNC_CONCURRENCY = 16;

export interface SyncOptions {
  taskQueue: string;
  /**
   * Channels whose entries are broken this time. Their schedules are left as they are
   * rather than deleted: a typo must not throw away a channel's schedule.
   */
  keep?: readonly string[];
}

export interface SyncReport {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

export function crawlInputFor(channel: ChannelConfig): CrawlInput {
  // No key for what the channel does not set: the schedule's stored args must compare equal.
  return {
    channel: channel.name,
    url: channel.url,
    backfill: channel.backfill,
    ...(channel.download ? { download: channel.download } : {}),
    ...(channel.rules ? { rules: channel.rules } : {}),
  };
}

function desiredSchedule(channel: ChannelConfig, taskQueue: string): DesiredSchedule {
  return {
    // Spread over the interval by the channel's name (schedule-offset.ts), not all at :00.
    spec: { intervals: [{ every: channel.everyMs, offset: scheduleOffsetMs(channel.name, channel.everyMs) }] },
    action: {
      type: 'startWorkflow',
      workflowType: CRAWL_WORKFLOW,
      workflowId: crawlWorkflowIdFor(channel.name),
      taskQueue,
      args: [crawlInputFor(channel)],
      // What the Web UI filters and shows the channel's crawls by.
      typedSearchAttributes: [{ key: PARKER_CHANNEL, value: channel.name }],
      staticSummary: `Crawl of ${channel.name}`,
      staticDetails: `Crawls ${channel.url} every ${ms(channel.everyMs, { long: true })}`,
    },
    policies: {
      // A crawl still running when the next is due makes the next one pointless.
      overlap: ScheduleOverlapPolicy.SKIP,
      // After an outage, make up at most the crawl missed within one interval: one crawl
      // sees everything new, older missed crawls would only repeat it. (The server's
      // default is a year of catch-up.)
      catchupWindow: channel.everyMs,
      pauseOnFailure: false,
    },
  };
}

/** The schedules whose ids look like a channel's, as the schedule list shows them (one call per 1,000). */
async function listedChannelSchedules(client: Client): Promise<Map<string, ScheduleSummary>> {
  const listed = new Map<string, ScheduleSummary>();
  for await (const schedule of client.schedule.list({ pageSize: 1000 })) {
    if (schedule.scheduleId.startsWith(SCHEDULE_ID_PREFIX)) listed.set(schedule.scheduleId, schedule);
  }
  return listed;
}

/**
 * A schedule this Parker made: the memo mark its sync gives them (never a schedule a
 * person made by hand), and an action on our task queue, so that two Parker deployments
 * sharing a namespace (or two test runs) never delete each other's.
 */
function isOurs(description: ScheduleDescription, taskQueue: string): boolean {
  return isManagedByParker(description) && description.action.type === 'startWorkflow' && description.action.taskQueue === taskQueue;
}

export async function syncSchedules(
  client: Client,
  channels: readonly ChannelConfig[],
  options: SyncOptions,
): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], deleted: [], unchanged: [] };
  const wanted = new Set(channels.map((channel) => scheduleIdFor(channel.name)));
  const kept = new Set((options.keep ?? []).map(scheduleIdFor));
  const listed = await listedChannelSchedules(client);

  const results = await mapConcurrently(channels, SYNC_CONCURRENCY, (channel) => {
    const scheduleId = scheduleIdFor(channel.name);
    // The first crawl of a new channel runs now, not one interval from now.
    return upsertSchedule(client, scheduleId, desiredSchedule(channel, options.taskQueue), {
      triggerImmediately: true,
      fromList: { listed: listed.get(scheduleId) },
    });
  });
  // In the channel list's order, whatever order the calls finished in.
  results.forEach((result, index) => report[result].push(scheduleIdFor(channels[index]!.name)));

  // Only the listed schedules no channel wants are described, to see whether they are ours.
  for (const scheduleId of listed.keys()) {
    if (wanted.has(scheduleId) || kept.has(scheduleId)) continue;
    const description = await describeOrUndefined(client, scheduleId);
    if (!description || !isOurs(description, options.taskQueue)) continue;
    try {
      await client.schedule.getHandle(scheduleId).delete();
      report.deleted.push(scheduleId);
    } catch (error) {
      // Listing lags behind deletes; one that is already gone is what we wanted.
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return report;
}
