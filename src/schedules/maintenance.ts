import { isDeepStrictEqual } from 'node:util';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
} from '@temporalio/client';
import type { ChannelConfig } from '../config/channels.ts';
import { MAINTENANCE_SCHEDULE_ID, MAINTENANCE_WORKFLOW } from '../shared/names.ts';
import type { MaintenanceInput } from '../shared/types.ts';

// Keeps the one schedule that runs the daily maintenance (retention), with the channels'
// keep rules from channels.yaml as its input: created when missing, updated when the
// rules or the queue changed, left alone otherwise. The channel cleanup never deletes it:
// its id is outside the channel schedules' prefix.

const NOTE = 'Managed by Parker from channels.yaml: `npm run schedules` overwrites edits made here.';
const DAY_MS = 86_400_000;
/** 04:00 UTC, when downloads are usually few. */
const OFFSET_MS = 4 * 3_600_000;
/**
 * A run missed while Parker was down is made up if Parker is back within 6 hours; after
 * that the next day's run does the same work. (The server's default is a year.)
 */
export const MAINTENANCE_CATCHUP_WINDOW_MS = 6 * 3_600_000;

export type MaintenanceSyncResult = 'created' | 'updated' | 'unchanged';

export interface MaintenanceSyncOptions {
  taskQueue: string;
  /** Tests use their own; Parker uses MAINTENANCE_SCHEDULE_ID. */
  scheduleId?: string;
}

/** The workflow input the schedule passes: every channel that has a keep rule, in file order. */
export function maintenanceInputFor(channels: readonly ChannelConfig[]): MaintenanceInput {
  return { channels: channels.flatMap((channel) => (channel.keep ? [{ channel: channel.name, keep: channel.keep }] : [])) };
}

function desired(channels: readonly ChannelConfig[], taskQueue: string) {
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

function matches(current: ScheduleDescription, want: ReturnType<typeof desired>): boolean {
  const action = current.action;
  return (
    action.type === 'startWorkflow' &&
    action.workflowType === want.action.workflowType &&
    action.workflowId === want.action.workflowId &&
    action.taskQueue === want.action.taskQueue &&
    isDeepStrictEqual(action.args, want.action.args) &&
    isDeepStrictEqual(
      (current.spec.intervals ?? []).map((interval) => ({ every: interval.every, offset: interval.offset ?? 0 })),
      want.spec.intervals,
    ) &&
    (current.spec.calendars ?? []).length === 0 &&
    current.policies.overlap === want.policies.overlap &&
    current.policies.catchupWindow === want.policies.catchupWindow
  );
}

async function describeOrUndefined(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}

export async function syncMaintenanceSchedule(
  client: Client,
  channels: readonly ChannelConfig[],
  options: MaintenanceSyncOptions,
): Promise<MaintenanceSyncResult> {
  const scheduleId = options.scheduleId ?? MAINTENANCE_SCHEDULE_ID;
  const want = desired(channels, options.taskQueue);
  let current = await describeOrUndefined(client, scheduleId);
  if (!current) {
    try {
      // Not triggered at once, unlike a new channel's crawl: deleting files is for the
      // quiet hour, not for the moment someone runs `npm run schedules`.
      await client.schedule.create({ scheduleId, ...want, state: { note: NOTE } });
      return 'created';
    } catch (error) {
      // Another sync created it meanwhile: compare with theirs like any existing one.
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      current = await client.schedule.getHandle(scheduleId).describe();
    }
  }
  if (matches(current, want)) return 'unchanged';
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...want, state: { ...previous.state, note: NOTE } }));
  return 'updated';
}
