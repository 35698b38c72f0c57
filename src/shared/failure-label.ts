import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/common';

// What a failure is called in metrics and logs: its type name, from a bounded set, never
// its message. One function for the activities and the workflows. Sandbox-safe.

/** The failure inside Temporal's wrappers (activity or child workflow failures). */
export function rootCause(error: unknown): unknown {
  let cause = error;
  while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.cause) cause = cause.cause;
  return cause;
}

/** MediaGone, RateLimited, Timeout, … : the failure type of the root cause. */
export function failureLabel(error: unknown): string {
  const cause = rootCause(error);
  if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
  if (cause instanceof TimeoutFailure) return 'Timeout';
  return cause instanceof Error ? cause.name : 'Error';
}
