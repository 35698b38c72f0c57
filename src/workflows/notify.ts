import { ApplicationFailure } from '@temporalio/workflow';
import { rootCause } from '../shared/failure-label.ts';
import { FailureType } from '../shared/failure-types.ts';
import type { VideoEnd } from '../shared/notify.ts';
import { DATABASE, NOTIFICATION } from './policies.ts';
import { downloadWorkflowQueue } from './task-queues.ts';

// On the download workflows' queue, where the downloads that start a notification run.
const { prepareNotification } = downloadWorkflowQueue(DATABASE);
const { deliverNotification } = downloadWorkflowQueue(NOTIFICATION);

/**
 * Tells the channel's webhook and Apprise URLs that a video was downloaded or failed.
 * Started by the download at its end and abandoned by it: its retries and failures are
 * its own. Each target is delivered on its own, so one that is down neither holds up
 * nor repeats the others.
 */
export async function notifyVideo(end: VideoEnd): Promise<{ sent: number }> {
  const { notification, targets } = await prepareNotification(end);
  const results = await Promise.allSettled(targets.map((target) => deliverNotification({ target, notification })));
  const failed = results.flatMap((result) => (result.status === 'rejected' ? [String((rootCause(result.reason) as Error).message)] : []));
  if (failed.length > 0) {
    throw ApplicationFailure.nonRetryable(`${failed.length} of ${targets.length} notifications not delivered: ${failed.join('; ')}`, FailureType.NotifyFailed);
  }
  return { sent: targets.length };
}
