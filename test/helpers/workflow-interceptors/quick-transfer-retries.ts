// A workflow interceptor for the tests of failed videos coming back, bundled with the
// workflows in their own bundle only (quickTransferRetriesBundle). Deterministic code only.
//
// A transfer gives up after MEDIA_TRANSFER's 10 attempts, about 10 minutes of backoff.
// These tests need a transfer whose retries run out, and then a later crawl: this cuts
// the transfer's policy to TRANSFER_ATTEMPTS quick attempts, and nothing else. The
// workflow, the activities and the server's retries are the real ones.
import type { WorkflowInterceptors } from '@temporalio/workflow';

/** Attempts of one transfer in these tests: the fixture's faults must outlast them. */
export const TRANSFER_ATTEMPTS = 2;

export function interceptors(): WorkflowInterceptors {
  return {
    outbound: [
      {
        scheduleActivity(input, next) {
          if (input.activityType !== 'downloadMedia') return next(input);
          const retry = { ...input.options.retry, initialInterval: 100, maximumInterval: 200, maximumAttempts: TRANSFER_ATTEMPTS };
          return next({ ...input, options: { ...input.options, retry } });
        },
      },
    ],
  };
}
