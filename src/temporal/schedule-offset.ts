import { createHash } from 'node:crypto';

// Where in its interval a channel's crawl falls. Interval schedules fire at whole multiples
// of `every` since the epoch, so without an offset every channel with `every: 1h` would
// crawl in the same second: a burst of feed requests, crawls and downloads on the hour.
// A hash of the channel's name spreads them evenly, and stays put across syncs and
// restarts (a random offset would reschedule every channel on every start).

/** The channel's offset within `everyMs`, in whole seconds (the schedule's granularity). */
export function scheduleOffsetMs(channel: string, everyMs: number): number {
  const seconds = Math.floor(everyMs / 1000);
  if (seconds <= 1) return 0;
  // 48 bits of the hash: far more than any interval's seconds, so the remainder is even.
  const hash = createHash('sha256').update(channel).digest().readUIntBE(0, 6);
  return (hash % seconds) * 1000;
}
