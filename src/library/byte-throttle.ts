import { setTimeout as sleep } from 'node:timers/promises';

// A bytes-per-second budget for reading files (the verify step's hashing), so that
// checking a library of terabytes never takes the disk from the downloads: after each
// chunk, the reader waits until its average rate since the start is back under the limit.

export class ByteThrottle {
  private readonly startedAt = Date.now();
  private bytes = 0;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly signal?: AbortSignal,
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`bytesPerSecond must be above 0, not ${bytesPerSecond}`);
  }

  /** Counts `bytes` read and waits as long as reading them early requires. */
  async take(bytes: number): Promise<void> {
    this.bytes += bytes;
    const dueAt = this.startedAt + (this.bytes / this.bytesPerSecond) * 1000;
    const wait = dueAt - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: this.signal });
  }
}
