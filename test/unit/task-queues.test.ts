import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createClaimActivities,
  createDownloadWorkflowActivities,
  createHostActivities,
  createMainQueueActivities,
  type ClaimActivities,
  type DownloadWorkflowActivities,
  type HostActivities,
  type MainQueueActivities,
} from '../../src/activities/index.ts';

// Which activity runs on which task queue is in the types: each queue's workers register
// one factory's activities, and the workflows proxy each queue with that factory's type.
// A host's transfer on the main queue would wait for a worker that never polls for it.

/** True when any of the activity names K is one the queue's type has. */
type Runs<Queue, K extends string> = [Extract<K, keyof Queue>] extends [never] ? false : true;

// Compile-time: tsc (the first step of `npm test`) fails if a queue's type gains another's activity.
const mainRunsNoTransfer: Runs<MainQueueActivities, 'downloadMedia' | 'finalizeDownload' | 'discardPart' | 'claimDownloadHost'> = false;
const downloadsRunNoCrawl: Runs<DownloadWorkflowActivities, 'fetchListing' | 'recordListing' | 'listBackfillPage' | 'loadKeepRules' | 'downloadMedia' | 'claimDownloadHost'> = false;
const hostRunsNoBookkeeping: Runs<HostActivities, 'resolveDownload' | 'markVideoFailed' | 'fetchListing' | 'claimDownloadHost'> = false;
const claimRunsOnlyTheClaim: Runs<ClaimActivities, 'downloadMedia' | 'resolveDownload'> = false;

describe('activities per task queue', () => {
  // The factories only close over their dependencies: building them needs none of them live.
  const deps = {} as never;
  const main = Object.keys(createMainQueueActivities(deps));
  const downloadWorkflows = Object.keys(createDownloadWorkflowActivities(deps));
  const host = Object.keys(createHostActivities(deps));
  const claim = Object.keys(createClaimActivities(deps));

  test('each activity is registered on exactly one queue, but the download bookkeeping the main queue keeps too', () => {
    // The main queue keeps it for the download workflows started there before the roles split.
    const crawlOnly = main.filter((name) => !downloadWorkflows.includes(name));
    assert.deepEqual(main.filter((name) => downloadWorkflows.includes(name)).sort(), [...downloadWorkflows].sort());
    const all = [...crawlOnly, ...downloadWorkflows, ...host, ...claim];
    assert.equal(new Set(all).size, all.length, `registered twice: ${all.filter((name, i) => all.indexOf(name) !== i).join(', ')}`);
    assert.deepEqual([mainRunsNoTransfer, downloadsRunNoCrawl, hostRunsNoBookkeeping, claimRunsOnlyTheClaim], [false, false, false, false]);
  });

  test("the main queue runs the crawl, backfill, maintenance, verify and upgrade checks; the download workflows' queue their bookkeeping, the media refresh and notifications; a host's queue what touches its part file; the claim queue only the claim", () => {
    assert.deepEqual(downloadWorkflows.sort(), [
      'checkSiteCooldown',
      'deliverNotification',
      'listMediaServers',
      'markVideoFailed',
      'prepareNotification',
      'refreshMediaServer',
      'resolveDownload',
      'startDiskFullPause',
      'startSiteCooldown',
    ]);
    assert.deepEqual(host.sort(), ['discardPart', 'discardUpgrade', 'downloadMedia', 'downloadUpgrade', 'finalizeDownload', 'swapUpgrade']);
    assert.deepEqual(claim, ['claimDownloadHost']);
    // The crawl's own: an unchanged feed costs one activity (fetchListing hands back the
    // backfill plan and the first page of unfinished videos), so there is no planning activity.
    assert.deepEqual(main.filter((name) => !downloadWorkflows.includes(name)).sort(), [
      'checkVideoUpgrade',
      'deleteExpiredVideo',
      'fetchListing',
      'listBackfillPage',
      'listExpiredVideos',
      'listUnfinishedVideos',
      'listUpgradeCandidates',
      'loadKeepRules',
      'loadUpgradePlan',
      'loadVerifyPlan',
      'recordListing',
      'verifyChannelFiles',
    ]);
  });
});
