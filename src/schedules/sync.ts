import { isDeepStrictEqual } from 'node:util';
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { ChannelConfig } from '../config/channels.ts';
import { CRAWL_WORKFLOW, crawlWorkflowIdFor, SCHEDULE_ID_PREFIX, scheduleIdFor } from '../shared/names.ts';
import type { CrawlInput } from '../shared/types.ts';

// Makes the Temporal Schedules match channels.yaml: one schedule per channel, created
// when missing, updated when changed, deleted when the channel left the file. Running it
// twice changes nothing.

const NOTE = 'Managed by Parker from channels.yaml: `npm run schedules` overwrites edits made here.';

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

interface DesiredSchedule {
  spec: ScheduleSpec;
  action: ScheduleOptionsStartWorkflowAction<(input: CrawlInput) => Promise<unknown>>;
  policies: { overlap: ScheduleOverlapPolicy; catchupWindow: number; pauseOnFailure: boolean };
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
    spec: { intervals: [{ every: channel.everyMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: CRAWL_WORKFLOW,
      workflowId: crawlWorkflowIdFor(channel.name),
      taskQueue,
      args: [crawlInputFor(channel)],
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

/** Whether an existing schedule already does what the desired one says. */
function matches(current: ScheduleDescription, desired: DesiredSchedule): boolean {
  const action = current.action;
  return (
    action.type === 'startWorkflow' &&
    action.workflowType === desired.action.workflowType &&
    action.workflowId === desired.action.workflowId &&
    action.taskQueue === desired.action.taskQueue &&
    isDeepStrictEqual(action.args, desired.action.args) &&
    isDeepStrictEqual(
      (current.spec.intervals ?? []).map((interval) => ({ every: interval.every, offset: interval.offset ?? 0 })),
      [{ every: desired.spec.intervals![0]!.every, offset: 0 }],
    ) &&
    (current.spec.calendars ?? []).length === 0 &&
    current.policies.overlap === desired.policies.overlap &&
    current.policies.catchupWindow === desired.policies.catchupWindow
  );
}

/**
 * Schedules this Parker made: the id prefix, and an action on our task queue, so that two
 * Parker deployments sharing a namespace (or two test runs) never delete each other's.
 */
async function ourScheduleIds(client: Client, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const schedule of client.schedule.list()) {
    if (!schedule.scheduleId.startsWith(SCHEDULE_ID_PREFIX)) continue;
    const description = await describeOrUndefined(client, schedule.scheduleId);
    if (description?.action.type === 'startWorkflow' && description.action.taskQueue === taskQueue) {
      ids.push(schedule.scheduleId);
    }
  }
  return ids;
}

async function describeOrUndefined(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined; // listing lags behind deletes
    throw error;
  }
}

export async function syncSchedules(
  client: Client,
  channels: readonly ChannelConfig[],
  options: SyncOptions,
): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], deleted: [], unchanged: [] };
  const wanted = new Set(channels.map((channel) => scheduleIdFor(channel.name)));
  const kept = new Set((options.keep ?? []).map(scheduleIdFor));

  for (const channel of channels) {
    const scheduleId = scheduleIdFor(channel.name);
    const desired = desiredSchedule(channel, options.taskQueue);
    const current = await describeOrUndefined(client, scheduleId);
    if (!current) {
      // The first crawl of a new channel runs now, not one interval from now.
      await client.schedule.create({ scheduleId, ...desired, state: { note: NOTE, triggerImmediately: true } });
      report.created.push(scheduleId);
    } else if (!matches(current, desired)) {
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...desired, state: { ...previous.state, note: NOTE } }));
      report.updated.push(scheduleId);
    } else {
      report.unchanged.push(scheduleId);
    }
  }

  for (const scheduleId of await ourScheduleIds(client, options.taskQueue)) {
    if (wanted.has(scheduleId) || kept.has(scheduleId)) continue;
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
