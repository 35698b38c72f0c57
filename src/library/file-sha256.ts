import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ByteThrottle } from './byte-throttle.ts';

/** Reads a whole file at most as fast as the throttle allows; `onChunk` is called after each (a heartbeat). */
export async function fileSha256(file: string, throttle: ByteThrottle, onChunk: () => void = () => {}): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onChunk();
    await throttle.take(chunk.length);
  }
  return hash.digest('hex');
}
