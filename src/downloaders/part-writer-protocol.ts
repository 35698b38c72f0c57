// The messages between part-writer.ts (the event loop) and part-writer-thread.ts.

/** An error of the thread, with what asStorageError needs to name the fault. */
export interface ThreadFailure {
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
}

export type ThreadRequest =
  | { id: number; type: 'open'; path: string; prefixBytes: number }
  /** A block moved (transferred, not copied) to the thread; its first `length` bytes are data. */
  | { id: number; type: 'block'; block: ArrayBuffer; length: number }
  | { id: number; type: 'finish' }
  | { id: number; type: 'abort' };

export type ThreadReply =
  | { id: number; type: 'opened' }
  | { id: number; type: 'prefix'; bytes: number }
  /** The block moved back, free to be filled again. */
  | { id: number; type: 'written'; block: ArrayBuffer }
  | { id: number; type: 'finished'; sha256: string }
  | { id: number; type: 'aborted' }
  | { id: number; type: 'failed'; error: ThreadFailure };
