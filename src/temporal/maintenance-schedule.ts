import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ChannelConfig } from '../config/channels.ts';
import { MAINTENANCE_SCHEDULE_ID, MAINTENANCE_WORKFLOW } from '../shared/names.ts';
import type { MaintenanceInput } from '../shared/maintenance.ts';
import { upsertSchedule, type DesiredSchedule, type UpsertResult } from './upsert-schedule.ts';

// Keeps the one schedule that runs the daily maintenance (retention), with the channels'
// keep rules from channels.yaml as its input: created when missing, updated when the
// rules or the queue changed, left alone otherwise. The channel cleanup never deletes it:
// its id is outside the channel schedules' prefix.

const DAY_MS = 86_400_000;
/** 04:00 UTC, when downloads are usually few. */
const OFFSET_MS = 4 * 3_600_000;
/**
 * A run missed while Parker was down is made up if Parker is back within 6 hours; after
 * that the next day's run does the same work. (The server's default is a year.)
 */
export const MAINTENANCE_CATCHUP_WINDOW_MS = 6 * 3_600_000;

export type MaintenanceSyncResult = UpsertResult;

export interface MaintenanceSyncOptions {
  taskQueue: string;
  /** Tests use their own; Parker uses MAINTENANCE_SCHEDULE_ID. */
  scheduleId?: string;
}

/** The workflow input the schedule passes: every channel that has a keep rule, in file order. */
export function maintenanceInputFor(channels: readonly ChannelConfig[]): MaintenanceInput {
  return { channels: channels.flatMap((channel) => (channel.keep ? [{ channel: channel.name, keep: channel.keep }] : [])) };
}

function desired(channels: readonly ChannelConfig[], taskQueue: string): DesiredSchedule {
  return {
    spec: { intervals: [{ every: DAY_MS, offset: OFFSET_MS }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: MAINTENANCE_WORKFLOW,
      workflowId: 'parker-maintenance-run',
      taskQueue,
      args: [maintenanceInputFor(channels)],
    },
    policies: {
      // A run still going when the next is due would only repeat its work.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: MAINTENANCE_CATCHUP_WINDOW_MS,
      pauseOnFailure: false,
    },
  };
}

export async function syncMaintenanceSchedule(
  client: Client,
  channels: readonly ChannelConfig[],
  options: MaintenanceSyncOptions,
): Promise<MaintenanceSyncResult> {
  const scheduleId = options.scheduleId ?? MAINTENANCE_SCHEDULE_ID;
  // Not triggered at once, unlike a new channel's crawl: deleting files is for the quiet
  // hour, not for the moment someone runs `npm run schedules`.
  return upsertSchedule(client, scheduleId, desired(channels, options.taskQueue), { triggerImmediately: false });
}
