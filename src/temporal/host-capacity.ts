import type { ActivitySlotInfo, CustomSlotSupplier, SlotPermit, SlotReleaseContext, SlotReserveContext } from '@temporalio/worker';

// A claim hands a transfer to this host, and the transfer then waits on the host's own
// queue for a slot. A host that claimed more than it can run would leave the rest waiting
// there until ON_HOST's schedule-to-start timeout passes them on (each pass spends a
// claim), and a site's per-minute rate would be spent on transfers that do not start. So
// the claim worker asks the server for a claim only while the host has a transfer slot
// free: its activity slot supplier waits for one. A claimed slot stays taken until the
// transfer starts here, or for `holdMs` at most: by then the transfer has been passed on,
// or it waits on a site cooldown, and it is counted again when it starts.

export interface HostCapacity {
  /** The claim worker's activity slots: one is handed out only while a transfer slot is free. */
  claimSlots: CustomSlotSupplier<ActivitySlotInfo>;
  /** Counts a transfer from its start; call the function it returns when the transfer ends. */
  transferStarted(): () => void;
}

/** `capacity` transfers of one site at once on this host (the host queue has as many slots). */
export function createHostCapacity(capacity: number, holdMs: number): HostCapacity {
  /** Claim slots handed out to the SDK's pollers whose claim has not finished. */
  let reserved = 0;
  /** Answered claims whose transfer has not started here yet, each with its expiry. */
  const claimed: NodeJS.Timeout[] = [];
  /** Transfers running on this host. */
  let running = 0;
  const waiting = new Set<() => void>();
  const free = () => reserved + claimed.length + running < capacity;
  const wake = () => {
    for (const retry of [...waiting]) retry();
  };

  const claimSlots: CustomSlotSupplier<ActivitySlotInfo> = {
    type: 'custom',
    reserveSlot(_context: SlotReserveContext, abortSignal: AbortSignal): Promise<SlotPermit> {
      return new Promise((resolve, reject) => {
        const attempt = () => {
          if (abortSignal.aborted) {
            waiting.delete(attempt);
            reject(abortSignal.reason);
          } else if (free()) {
            waiting.delete(attempt);
            reserved++;
            resolve({});
          }
        };
        waiting.add(attempt);
        abortSignal.addEventListener('abort', attempt, { once: true });
        attempt();
      });
    },
    tryReserveSlot(): SlotPermit | null {
      if (!free()) return null;
      reserved++;
      return {};
    },
    markSlotUsed() {},
    releaseSlot(context: SlotReleaseContext<ActivitySlotInfo>) {
      reserved--;
      // A slot released unused was a poll that timed out: no transfer comes of it.
      if (context.slotInfo) {
        const expiry = setTimeout(() => {
          claimed.splice(claimed.indexOf(expiry), 1);
          wake();
        }, holdMs);
        expiry.unref();
        claimed.push(expiry);
      }
      wake();
    },
  };

  return {
    claimSlots,
    transferStarted() {
      running++;
      // Whichever claim it came from: they are alike, and the oldest expires first.
      const answered = claimed.shift();
      if (answered) clearTimeout(answered);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        running--;
        wake();
      };
    },
  };
}
