import { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { startModuleThread } from '../module-path.ts';
import type { ThreadFailure, ThreadReply, ThreadRequest } from './part-writer-protocol.ts';

// A part file written and hashed off the event loop. The event loop only copies each
// body chunk into a block; a full block is moved (transferred, not copied) to a thread of
// its own (part-writer-thread.ts), which feeds it to the sha256 and to write(2) and moves
// it back. On two cores that is what lets the socket be read while the last megabyte is
// hashed and written (BENCHMARKS.md, throughput): done on the event loop, the three ran
// one after another. The blocks are plain memory moved back and forth rather than one
// SharedArrayBuffer: V8 copies into shared memory word by word, and that copy took the
// event loop 1.3 CPU s per GiB against 0.3 for a plain one.

/** One block is hashed and written at a time; 1 MiB keeps the messages per GiB few. */
const BLOCK_BYTES = 1 << 20;
/**
 * Blocks per part: while the thread works on some, the socket fills the others. What
 * they hold when the process dies is fetched again on resume, so they stay few.
 */
const BLOCKS_PER_PART = 4;
/**
 * A block that fills slowly (a slow or stalled server) is sent part-full after this long,
 * so what has been received is on disk for a resume within a tenth of a second.
 */
const PARTIAL_BLOCK_MS = 100;
/** What the stream itself queues in front of the blocks; the blocks are the real buffer. */
const QUEUED_BYTES = 256 << 10;

type ReplyListener = (reply: ThreadReply) => void;

/** The one thread of the process that every part writer uses, started on first use. */
class WriterThread {
  private worker: Worker | undefined;
  private readonly listeners = new Map<number, ReplyListener>();
  private nextId = 1;

  attach(listener: ReplyListener): number {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    // The thread keeps the process alive only while a part is open.
    this.running().ref();
    return id;
  }

  detach(id: number): void {
    this.listeners.delete(id);
    if (this.listeners.size === 0) this.worker?.unref();
  }

  send(request: ThreadRequest, transfer: ArrayBuffer[] = []): void {
    this.running().postMessage(request, transfer);
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleThread('./part-writer-thread.ts', import.meta.url);
    worker.on('message', (reply: ThreadReply) => this.listeners.get(reply.id)?.(reply));
    // A thread that dies fails every open part; the next part starts a new thread.
    const lost = (error: ThreadFailure) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const [id, listener] of this.listeners) listener({ id, type: 'failed', error });
    };
    worker.on('error', (error) => lost({ message: `part writer thread failed: ${error.message}` }));
    worker.on('exit', (code) => lost({ message: `part writer thread exited with code ${code}` }));
    this.worker = worker;
    return worker;
  }
}

const thread = new WriterThread();

/** A block of its own memory (a pooled Buffer could not be moved); only its filled bytes are ever read. */
function newBlock(): Buffer {
  return Buffer.allocUnsafeSlow(BLOCK_BYTES);
}

/** The thread's error as a Node error, with the code asStorageError looks for (ENOSPC …). */
function asError({ message, code, syscall, path }: ThreadFailure): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall, path });
}

export interface PartWriterOptions {
  path: string;
  /**
   * Bytes already in the part (resuming): the sha256 covers them first and the body is
   * appended after them. 0 creates or empties the part.
   */
  prefixBytes: number;
  /** Called as the prefix is hashed, so a long one still heartbeats. */
  onPrefixHashed?: (bytes: number) => void;
}

/** A Writable over a part file; when it finishes, `sha256` covers the whole part. */
export class PartWriter extends Writable {
  sha256: string | undefined;
  private readonly id: number;
  /** Blocks here to be filled; the others are with the thread, and come back as it writes them. */
  private readonly free: Buffer[] = [];
  /** Blocks made so far: made as needed, so a small file takes one. */
  private blocksMade = 1;
  private block = newBlock();
  private filled = 0;
  private open = false;
  private failure: Error | undefined;
  /** What waits on the thread: the open, a write for a free block, the finish or the abort. */
  private readonly waiting: Partial<Record<'opened' | 'blockFree' | 'closed', (error?: Error) => void>> = {};
  private partialTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: PartWriterOptions) {
    super({ highWaterMark: QUEUED_BYTES });
    this.id = thread.attach((reply) => this.onReply(reply));
  }

  /** Opens (or, with a prefix, continues) the part; rejects with the open's or the prefix's error. */
  static async open(options: PartWriterOptions): Promise<PartWriter> {
    const writer = new PartWriter(options);
    await new Promise<void>((resolve, reject) => {
      writer.waiting.opened = (error) => (error ? reject(error) : resolve());
      thread.send({ id: writer.id, type: 'open', path: options.path, prefixBytes: options.prefixBytes });
    }).catch((error: unknown) => {
      thread.detach(writer.id);
      throw error;
    });
    writer.open = true;
    return writer;
  }

  private onReply(reply: ThreadReply): void {
    switch (reply.type) {
      case 'prefix':
        this.options.onPrefixHashed?.(reply.bytes);
        return;
      case 'opened':
        return this.settle('opened');
      case 'written':
        this.free.push(Buffer.from(reply.block));
        return this.settle('blockFree');
      case 'finished':
        this.sha256 = reply.sha256;
        this.released();
        return this.settle('closed');
      case 'aborted':
        this.released();
        return this.settle('closed');
      case 'failed':
        this.failure ??= asError(reply.error);
        this.released();
        for (const wait of ['opened', 'blockFree', 'closed'] as const) this.settle(wait);
        return;
    }
  }

  private settle(wait: keyof PartWriter['waiting']): void {
    const waiting = this.waiting[wait];
    delete this.waiting[wait];
    waiting?.(this.failure);
  }

  private released(): void {
    this.open = false;
    thread.detach(this.id);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.copyIn(chunk, 0, callback);
  }

  /** Copies `chunk` from `from` on into blocks, sending each block as it fills. */
  private copyIn(chunk: Buffer, from: number, callback: (error?: Error | null) => void): void {
    let copied = from;
    while (copied < chunk.length) {
      if (this.failure) return callback(this.failure);
      const length = Math.min(chunk.length - copied, BLOCK_BYTES - this.filled);
      chunk.copy(this.block, this.filled, copied, copied + length);
      this.filled += length;
      copied += length;
      if (this.filled === BLOCK_BYTES) {
        this.sendBlock();
        const next = this.freeBlock();
        if (next === undefined) {
          // Every block is with the thread: this write (and so the body) waits for one.
          this.waiting.blockFree = (error) => (error ? callback(error) : this.takeBlockAndCopy(chunk, copied, callback));
          return;
        }
        this.block = next;
      }
    }
    if (this.filled > 0) this.partialTimer ??= setTimeout(() => this.sendPartialBlock(), PARTIAL_BLOCK_MS);
    callback(this.failure);
  }

  private sendPartialBlock(): void {
    this.partialTimer = undefined;
    if (this.filled === 0 || !this.open) return;
    const next = this.freeBlock();
    if (next === undefined) {
      // The thread has every other block: try again once it has written one.
      this.partialTimer = setTimeout(() => this.sendPartialBlock(), PARTIAL_BLOCK_MS);
      return;
    }
    this.sendBlock();
    this.block = next;
  }

  /** A block to fill: one back from the thread, else a new one while fewer than BLOCKS_PER_PART exist. */
  private freeBlock(): Buffer | undefined {
    const free = this.free.shift();
    if (free || this.blocksMade === BLOCKS_PER_PART) return free;
    this.blocksMade++;
    return newBlock();
  }

  private takeBlockAndCopy(chunk: Buffer, from: number, callback: (error?: Error | null) => void): void {
    this.block = this.free.shift()!;
    this.copyIn(chunk, from, callback);
  }

  private sendBlock(): void {
    clearTimeout(this.partialTimer);
    this.partialTimer = undefined;
    // Moved, not copied: this side's view of the block is empty until the thread gives it back.
    const block = this.block.buffer as ArrayBuffer;
    thread.send({ id: this.id, type: 'block', block, length: this.filled }, [block]);
    this.filled = 0;
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.failure) return callback(this.failure);
    if (this.filled > 0) this.sendBlock();
    this.waiting.closed = (error) => callback(error);
    thread.send({ id: this.id, type: 'finish' });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.partialTimer);
    if (!this.open) return callback(error);
    // A body cut short (the network, a cancel) keeps what it delivered: a resume continues
    // from it. Then the file is closed, before the caller removes or reopens it.
    if (this.filled > 0 && !this.failure) this.sendBlock();
    this.waiting.closed = () => callback(error);
    thread.send({ id: this.id, type: 'abort' });
  }
}
