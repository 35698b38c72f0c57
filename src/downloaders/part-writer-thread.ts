import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest, ThreadFailure } from './part-writer-protocol.ts';

// The thread behind part-writer.ts: it hashes and writes the blocks that the event loop
// fills and moves here, so the sha256 and the write system calls run on the other
// core while the main thread reads the socket. One thread serves every download of the
// process; each part is known by the id its writer chose.

const PREFIX_READ_BYTES = 1 << 20;
/** How often the prefix hash tells the main thread it is still going (heartbeats). */
const PREFIX_REPORT_BYTES = 64 << 20;

interface OpenPart {
  fd: number;
  hash: Hash;
}

const parts = new Map<number, OpenPart>();
const port = parentPort!;

function failure(error: unknown): ThreadFailure {
  const { message, code, syscall, path } = error as NodeJS.ErrnoException;
  return { message: String(message ?? error), code, syscall, path };
}

function reply(message: ThreadReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Feeds the first `length` bytes of the open file into the hash (resuming a part). */
function hashPrefix(id: number, part: OpenPart, length: number): void {
  const buffer = Buffer.allocUnsafe(PREFIX_READ_BYTES);
  let done = 0;
  let reported = 0;
  while (done < length) {
    const read = readSync(part.fd, buffer, 0, Math.min(buffer.length, length - done), done);
    if (read === 0) throw Object.assign(new Error(`part ended at ${done} of ${length} bytes`), { code: 'EPARTSHORT' });
    part.hash.update(buffer.subarray(0, read));
    done += read;
    if (done - reported >= PREFIX_REPORT_BYTES) {
      reported = done;
      reply({ id, type: 'prefix', bytes: done });
    }
  }
}

function handle(request: ThreadRequest): void {
  const { id } = request;
  try {
    switch (request.type) {
      case 'open': {
        // 'a+' appends while still letting the prefix be read for the hash.
        const part: OpenPart = {
          fd: openSync(request.path, request.prefixBytes > 0 ? 'a+' : 'w'),
          hash: createHash('sha256'),
        };
        parts.set(id, part);
        hashPrefix(id, part, request.prefixBytes);
        reply({ id, type: 'opened' });
        return;
      }
      case 'block': {
        // Blocks already sent when a write failed: the writer has its error and stops.
        const part = parts.get(id);
        if (!part) return;
        const block = new Uint8Array(request.block, 0, request.length);
        part.hash.update(block);
        for (let written = 0; written < block.length; ) written += writeSync(part.fd, block, written);
        reply({ id, type: 'written', block: request.block }, [request.block]);
        return;
      }
      case 'finish': {
        const part = parts.get(id);
        if (!part) return;
        parts.delete(id);
        // As the write stream's `flush`: the bytes are on disk before the part is renamed.
        try {
          fsyncSync(part.fd);
        } finally {
          closeSync(part.fd);
        }
        reply({ id, type: 'finished', sha256: part.hash.digest('hex') });
        return;
      }
      case 'abort': {
        const part = parts.get(id);
        parts.delete(id);
        if (part) closeSync(part.fd);
        reply({ id, type: 'aborted' });
        return;
      }
    }
  } catch (error) {
    const part = parts.get(id);
    parts.delete(id);
    if (part) {
      try {
        closeSync(part.fd);
      } catch {
        // The write's own error is the one to report.
      }
    }
    reply({ id, type: 'failed', error: failure(error) });
  }
}

port.on('message', handle);
