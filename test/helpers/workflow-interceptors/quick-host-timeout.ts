// A workflow interceptor for the download tests whose hosts go away, bundled with the
// workflows in their own bundle only (test/helpers/time-skipping.ts, quickHostTimeoutBundle).
// Deterministic code only.
//
// A host that is gone is a host queue that no worker polls: the server fails the transfer
// pinned to it when ON_HOST's schedule-to-start timeout (a minute) runs out. The
// time-skipping test server stops its clock while any activity waits in a queue, so that
// minute would pass in real time, once per claim. This shortens that one timeout, and
// nothing else: the workflow and the server's timeout are the real ones.
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { ON_HOST } from '../../../src/workflows/policies.ts';

/** How long a task may wait on a host's queue in these tests. */
export const QUICK_HOST_TIMEOUT_MS = 200;

export function interceptors(): WorkflowInterceptors {
  return {
    outbound: [
      {
        scheduleActivity(input, next) {
          if (input.options.scheduleToStartTimeout !== ON_HOST.scheduleToStartTimeout) return next(input);
          return next({ ...input, options: { ...input.options, scheduleToStartTimeout: QUICK_HOST_TIMEOUT_MS } });
        },
      },
    ],
  };
}
