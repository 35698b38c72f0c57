import { createHash, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import net from 'node:net';
import { finished } from 'node:stream/promises';
import { Agent, type Dispatcher } from 'undici';
import { PartWriter } from '../../src/downloaders/part-writer.ts';

// The two halves of Parker's transfer, each measured alone on the same server and file
// system as the clients, so the benchmark can say how fast a downloader made of these
// parts could go on this machine with nothing between them:
// - the read: undici fetching the file with every body chunk dropped (the socket reads,
//   the parser, and the garbage collector's threads that node's socket buffers cost);
// - the part writer fed from memory: the copy into its blocks, the hand-off to its
//   thread, the sha256 and the write system calls.
// Their CPU per GiB, with what nginx spends serving, over the machine's cores is that
// ceiling; the gap between it and Parker's own figure is what the streams in between cost.
// Below them lie the three things no node downloader that hashes can skip, measured bare:
// node's socket receiving the response into one reused buffer (no HTTP parser, no
// allocation per read), the sha256 of the bytes, and write(2) of them in 1 MiB blocks.
// Together they are the least CPU a node downloader with sha256 on could spend per GiB.

/** What the read-only client fetches with: an agent of its own, as the worker's client has one. */
const agent = new Agent();

/** Fetches `url` through undici and drops the body; resolves with the bytes received. */
export function readAndDrop(url: string): Promise<number> {
  const target = new URL(url);
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const handler: Dispatcher.DispatchHandler = {
      // Present so undici takes this for a handler of its current interface.
      onRequestStart() {},
      onResponseStart(controller, statusCode) {
        if (statusCode !== 200) controller.abort(new Error(`${url} answered ${statusCode}`));
      },
      onResponseData(_controller, chunk) {
        bytes += chunk.length;
      },
      onResponseEnd: () => resolve(bytes),
      onResponseError: (_controller, error) => reject(error),
    };
    agent.dispatch({ origin: target.origin, path: target.pathname, method: 'GET', headers: { 'accept-encoding': 'identity' } }, handler);
  });
}

/** 64 KiB, the size of node's socket reads: the chunks the part writer is given. */
const CHUNK_BYTES = 64 << 10;
/**
 * Distinct chunks cycled through, 4 MiB in all, more than a core's cache: a socket's
 * chunks are fresh memory each time, and one chunk written again and again would make
 * the copy look cheaper than it is.
 */
const CHUNKS = 64;

/** Writes `bytes` from memory through a part writer into `into`, as a body would arrive. */
export async function writeFromMemory(into: string, bytes: number): Promise<void> {
  const chunks = Array.from({ length: CHUNKS }, () => randomFillSync(Buffer.allocUnsafeSlow(CHUNK_BYTES)));
  const file = await PartWriter.open({ path: into, prefixBytes: 0 });
  for (let written = 0, i = 0; written < bytes; written += CHUNK_BYTES, i++) {
    const chunk = chunks[i % CHUNKS]!.subarray(0, Math.min(CHUNK_BYTES, bytes - written));
    if (!file.write(chunk)) await once(file, 'drain');
  }
  file.end();
  await finished(file);
}

/** 1 MiB, the part writer's block. */
const BLOCK_BYTES = 1 << 20;
/** Distinct blocks cycled through, 64 MiB in all: more than the caches, as a body is. */
const BLOCKS = 64;

let blocksMade: Buffer[] | undefined;

/** The blocks the bare hash and writes read, made once, so that filling them is not measured. */
export function distinctBlocks(): Buffer[] {
  blocksMade ??= Array.from({ length: BLOCKS }, () => randomFillSync(Buffer.allocUnsafeSlow(BLOCK_BYTES)));
  return blocksMade;
}

/** The sha256 of `bytes` from memory, in 1 MiB updates, on this thread: the hash bare. */
export function hashFromMemory(bytes: number): string {
  const blocks = distinctBlocks();
  const hash = createHash('sha256');
  for (let done = 0, i = 0; done < bytes; done += BLOCK_BYTES, i++) hash.update(blocks[i % BLOCKS]!.subarray(0, Math.min(BLOCK_BYTES, bytes - done)));
  return hash.digest('hex');
}

/** write(2) of `bytes` from memory into `into`, 1 MiB at a time, on this thread: the writes bare. */
export function writeSyscallsFromMemory(into: string, bytes: number): void {
  const blocks = distinctBlocks();
  const fd = openSync(into, 'w');
  try {
    for (let done = 0, i = 0; done < bytes; i++) {
      const block = blocks[i % BLOCKS]!.subarray(0, Math.min(BLOCK_BYTES, bytes - done));
      for (let written = 0; written < block.length; ) written += writeSync(fd, block, written);
      done += block.length;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Receives `url`'s whole response on a plain socket into one reused buffer (`onread`) and
 * drops it: what node itself spends to receive the bytes, with no HTTP parser and no new
 * buffer per read. Resolves with the bytes received, headers included.
 */
export function receiveOnSocket(url: string): Promise<number> {
  const target = new URL(url);
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: target.hostname,
      port: Number(target.port),
      onread: {
        buffer: Buffer.allocUnsafeSlow(BLOCK_BYTES),
        callback: (received) => {
          bytes += received;
          return true;
        },
      },
    });
    socket.once('connect', () => socket.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`));
    socket.once('error', reject);
    socket.once('end', () => resolve(bytes));
  });
}
