import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createHostCapacity } from '../../src/temporal/host-capacity.ts';

// The claim slots of a host: handed out only while a transfer slot is free, held by an
// answered claim until its transfer starts or the hold runs out.

const context = {} as never;
const used = { slotInfo: { type: 'activity', activityType: 'claimDownloadHost' }, permit: {} } as const;
const unused = { permit: {} } as const;

/** Whether a reservation is granted within a few milliseconds. */
async function granted(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20))]);
}

describe('host capacity', () => {
  test('no more claim slots than free transfer slots, counting claims whose transfer has not started', async () => {
    const { claimSlots, transferStarted } = createHostCapacity(2, 60_000);
    const signal = new AbortController().signal;
    assert.ok(await granted(claimSlots.reserveSlot(context, signal)));
    assert.ok(await granted(claimSlots.reserveSlot(context, signal)));
    const third = claimSlots.reserveSlot(context, signal);
    assert.equal(await granted(third), false, 'both slots are reserved');
    assert.equal(claimSlots.tryReserveSlot(context), null);

    claimSlots.releaseSlot(used); // a claim answered: its transfer is on its way
    assert.equal(await granted(third), false, 'the answered claim holds its slot');
    const ended = transferStarted(); // that transfer starts: still one slot taken
    assert.equal(await granted(third), false);
    ended();
    assert.ok(await granted(third), 'a transfer that ended frees its slot');

    claimSlots.releaseSlot(unused); // a poll that timed out gives its slot back at once
    assert.notEqual(claimSlots.tryReserveSlot(context), null);
  });

  test('an answered claim whose transfer never comes frees its slot after the hold', async () => {
    const { claimSlots } = createHostCapacity(1, 30);
    assert.notEqual(claimSlots.tryReserveSlot(context), null);
    claimSlots.releaseSlot(used);
    const next = claimSlots.reserveSlot(context, new AbortController().signal);
    assert.equal(await granted(next), false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.ok(await granted(next));
  });

  test('a transfer that starts without a claim (a retry) is counted too', async () => {
    const { claimSlots, transferStarted } = createHostCapacity(1, 60_000);
    const ended = transferStarted();
    assert.equal(claimSlots.tryReserveSlot(context), null);
    ended();
    ended(); // ending twice frees one slot only
    assert.notEqual(claimSlots.tryReserveSlot(context), null);
    assert.equal(claimSlots.tryReserveSlot(context), null);
  });

  test('a reservation the SDK no longer needs is given up with its abort reason', async () => {
    const { claimSlots } = createHostCapacity(1, 60_000);
    assert.notEqual(claimSlots.tryReserveSlot(context), null);
    const controller = new AbortController();
    const waiting = claimSlots.reserveSlot(context, controller.signal);
    const reason = Object.assign(new Error('not needed'), { name: 'AbortError' });
    controller.abort(reason);
    await assert.rejects(waiting, (error) => error === reason);
  });
});
