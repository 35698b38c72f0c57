// The messages between part-writer.ts (the event loop) and part-writer-thread.ts.

/** An error of the thread, with what asStorageError needs to name the fault. */
export interface ThreadFailure {
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
}

export type ThreadRequest =
  | { id: number; type: 'open'; path: string; prefixBytes: number; blocks: SharedArrayBuffer }
  | { id: number; type: 'block'; offset: number; length: number }
  | { id: number; type: 'finish' }
  | { id: number; type: 'abort' };

export type ThreadReply =
  | { id: number; type: 'opened' }
  | { id: number; type: 'prefix'; bytes: number }
  | { id: number; type: 'written'; offset: number }
  | { id: number; type: 'finished'; sha256: string }
  | { id: number; type: 'aborted' }
  | { id: number; type: 'failed'; error: ThreadFailure };
