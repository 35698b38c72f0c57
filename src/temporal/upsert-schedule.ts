import { createHash } from 'node:crypto';
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
  type ScheduleSummary,
  type Workflow,
} from '@temporalio/client';

// Create-or-update of one schedule Parker manages (a channel's crawl, the daily
// maintenance): created when missing, updated when it no longer does what channels.yaml
// says, left alone otherwise, so that running the sync twice changes nothing.
//
// Each schedule's note ends with a digest of what the sync wanted it to do. The schedule
// list (a page of up to 1,000 per call) carries the notes, so an unchanged schedule is
// recognised from the list alone; describing it (a query to its scheduler workflow, ≈ 40
// a second on a busy dev server) is left for those whose note says otherwise.

const NOTE = 'Managed by Parker from channels.yaml: `npm run schedules` overwrites edits made here.';

/**
 * Marks the schedules a sync created, in their memo (which a schedule keeps for life):
 * a sync deletes only those, never one a person made with `temporal schedule create`.
 */
const MANAGED_MEMO = { managedBy: 'parker' };

/** Whether Parker's sync made this schedule, and so may update and delete it. */
export function isManagedByParker(description: ScheduleDescription): boolean {
  // Schedules made before the memo mark carry only Parker's note.
  return description.memo?.managedBy === MANAGED_MEMO.managedBy || isParkersNote(description.state.note);
}

/** Parker's note, with or without a digest; not one a person wrote (a pause's reason replaces it). */
function isParkersNote(note: string | undefined): boolean {
  return note?.startsWith(NOTE) ?? false;
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

/**
 * The note a schedule gets: Parker's, and a digest of everything `matches` compares, so
 * that a schedule whose note carries the digest of what is wanted now need not be described.
 */
export function noteFor(desired: DesiredSchedule): string {
  const compared = {
    spec: intervals(desired.spec),
    action: { ...desired.action, typedSearchAttributes: searchAttributeValues(desired.action.typedSearchAttributes ?? []) },
    policies: { overlap: desired.policies.overlap, catchupWindow: desired.policies.catchupWindow },
  };
  const digest = createHash('sha256').update(JSON.stringify(compared)).digest('hex').slice(0, 16);
  return `${NOTE} Config ${digest}.`;
}

/**
 * Whether the schedule list shows this schedule as the sync last made it for what is
 * wanted now: the note's digest, and the spec and workflow type the list carries too.
 * (A person's edit of the action in the Web UI that keeps the note is not seen here: the
 * next change of the channel's entry overwrites it.)
 */
export function listedAsWanted(listed: ScheduleSummary, desired: DesiredSchedule): boolean {
  return (
    listed.state.note === noteFor(desired) &&
    listed.spec !== undefined &&
    isDeepStrictEqual(intervals(listed.spec), intervals(desired.spec)) &&
    (listed.spec.calendars ?? []).length === 0 &&
    listed.action?.workflowType === desired.action.workflowType
  );
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

export interface UpsertOptions {
  triggerImmediately: boolean;
  /**
   * What the schedule list showed, when the caller read it: the schedule's entry, or none
   * (then it is created without a describe first; one the list had not caught up with
   * yet is found by the create, and compared). The list trails updates by a moment: a
   * stale entry only costs a describe, unless the wanted schedule went back, within that
   * moment, to what the stale entry shows.
   */
  fromList?: { listed?: ScheduleSummary };
}

export async function upsertSchedule(client: Client, scheduleId: string, desired: DesiredSchedule, options: UpsertOptions): Promise<UpsertResult> {
  const listed = options.fromList?.listed;
  if (listed && listedAsWanted(listed, desired)) return 'unchanged';
  const note = noteFor(desired);
  let current = options.fromList && !listed ? undefined : await describeOrUndefined(client, scheduleId);
  if (!current) {
    try {
      await client.schedule.create({
        scheduleId,
        ...desired,
        memo: MANAGED_MEMO,
        state: { note, triggerImmediately: options.triggerImmediately },
      });
      return 'created';
    } catch (error) {
      // Another sync created it meanwhile, or the list had not caught up with it: compare
      // with what is there like any existing one.
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      current = await client.schedule.getHandle(scheduleId).describe();
    }
  }
  if (matches(current, desired)) {
    // A person's note (a pause's reason) stays; Parker's gains the digest once (schedules
    // made before it), so the next syncs need not describe this one.
    if (current.state.note === note || !isParkersNote(current.state.note)) return 'unchanged';
  }
  await client.schedule
    .getHandle(scheduleId)
    .update((previous) => ({ ...previous, ...desired, state: { ...previous.state, note } }));
  return 'updated';
}
