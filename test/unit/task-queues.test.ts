import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createClaimActivities,
  createHostActivities,
  createMainQueueActivities,
  type ClaimActivities,
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
const hostRunsNoBookkeeping: Runs<HostActivities, 'resolveDownload' | 'markVideoFailed' | 'fetchListing' | 'claimDownloadHost'> = false;
const claimRunsOnlyTheClaim: Runs<ClaimActivities, 'downloadMedia' | 'resolveDownload'> = false;

describe('activities per task queue', () => {
  // The factories only close over their dependencies: building them needs none of them live.
  const deps = {} as never;
  const main = Object.keys(createMainQueueActivities(deps));
  const host = Object.keys(createHostActivities(deps));
  const claim = Object.keys(createClaimActivities(deps));

  test('each activity is registered on exactly one queue', () => {
    const all = [...main, ...host, ...claim];
    assert.equal(new Set(all).size, all.length, `registered twice: ${all.filter((name, i) => all.indexOf(name) !== i).join(', ')}`);
    assert.deepEqual([mainRunsNoTransfer, hostRunsNoBookkeeping, claimRunsOnlyTheClaim], [false, false, false]);
  });

  test("a host's queue runs what touches its part file, the claim queue only the claim", () => {
    assert.deepEqual(host.sort(), ['discardPart', 'downloadMedia', 'finalizeDownload']);
    assert.deepEqual(claim, ['claimDownloadHost']);
    for (const name of ['fetchListing', 'recordListing', 'resolveDownload', 'markVideoFailed', 'checkSiteCooldown', 'listBackfillPage', 'loadKeepRules']) {
      assert.ok(main.includes(name), `${name} runs on the main queue`);
    }
  });
});
