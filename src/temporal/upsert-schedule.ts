import { isDeepStrictEqual } from 'node:util';
import type { SearchAttributePair, TypedSearchAttributes } from '@temporalio/common';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleOverlapPolicy,
  type ScheduleSpec,
  type Workflow,
} from '@temporalio/client';

// Create-or-update of one schedule Parker manages (a channel's crawl, the daily
// maintenance): created when missing, updated when it no longer does what channels.yaml
// says, left alone otherwise, so that running the sync twice changes nothing.

const NOTE = 'Managed by Parker from channels.yaml: `npm run schedules` overwrites edits made here.';

/**
 * Marks the schedules a sync created, in their memo (which a schedule keeps for life):
 * a sync deletes only those, never one a person made with `temporal schedule create`.
 */
const MANAGED_MEMO = { managedBy: 'parker' };

/** Whether Parker's sync made this schedule, and so may update and delete it. */
export function isManagedByParker(description: ScheduleDescription): boolean {
  // Schedules made before the memo mark carry only Parker's note.
  return description.memo?.managedBy === MANAGED_MEMO.managedBy || description.state.note === NOTE;
}

export interface DesiredSchedule {
  spec: Pick<ScheduleSpec, 'intervals'>;
  action: ScheduleOptionsStartWorkflowAction<Workflow> & { typedSearchAttributes?: SearchAttributePair[] };
  policies: { overlap: ScheduleOverlapPolicy; catchupWindow: number; pauseOnFailure: boolean };
}

export type UpsertResult = 'created' | 'updated' | 'unchanged';

/** The schedule's description, or undefined when there is none (listing lags behind deletes). */
export async function describeOrUndefined(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}

/** Intervals as the server describes them, with the offset it leaves out when zero. */
function intervals(spec: Pick<ScheduleSpec, 'intervals'>) {
  return (spec.intervals ?? []).map((interval) => ({ every: interval.every, offset: interval.offset ?? 0 }));
}

/** Search attributes as name → value, for comparing what the server describes with what is wanted. */
function searchAttributeValues(pairs: readonly SearchAttributePair[]): Record<string, unknown> {
  return Object.fromEntries(pairs.map((pair) => [pair.key.name, pair.value]));
}

function sameSearchAttributes(
  current: SearchAttributePair[] | TypedSearchAttributes | undefined,
  desired: readonly SearchAttributePair[] = [],
): boolean {
  const described = Array.isArray(current) ? current : (current?.getAll() ?? []);
  return isDeepStrictEqual(searchAttributeValues(described), searchAttributeValues(desired));
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
    sameSearchAttributes(action.typedSearchAttributes, desired.action.typedSearchAttributes) &&
    action.staticSummary === desired.action.staticSummary &&
    action.staticDetails === desired.action.staticDetails &&
    isDeepStrictEqual(intervals(current.spec), intervals(desired.spec)) &&
    (current.spec.calendars ?? []).length === 0 &&
    current.policies.overlap === desired.policies.overlap &&
    current.policies.catchupWindow === desired.policies.catchupWindow
  );
}

export async function upsertSchedule(
  client: Client,
  scheduleId: string,
  desired: DesiredSchedule,
  options: { triggerImmediately: boolean },
): Promise<UpsertResult> {
  let current = await describeOrUndefined(client, scheduleId);
  if (!current) {
    try {
      await client.schedule.create({
        scheduleId,
        ...desired,
        memo: MANAGED_MEMO,
        state: { note: NOTE, triggerImmediately: options.triggerImmediately },
      });
      return 'created';
    } catch (error) {
      // Another sync created it meanwhile: compare with theirs like any existing one.
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      current = await client.schedule.getHandle(scheduleId).describe();
    }
  }
  if (matches(current, desired)) return 'unchanged';
  await client.schedule
    .getHandle(scheduleId)
    .update((previous) => ({ ...previous, ...desired, state: { ...previous.state, note: NOTE } }));
  return 'updated';
}
