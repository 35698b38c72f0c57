import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// A small tmpfs to stand in for a full or read-only disk. Mounting needs root, which
// CI has; without it the test fails and says so.

const run = promisify(execFile);

export interface SmallDisk {
  dir: string;
  /** Makes the file system read-only. */
  makeReadOnly(): Promise<void>;
  remove(): Promise<void>;
}

export async function mountSmallDisk(sizeBytes: number): Promise<SmallDisk> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parker-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`this test mounts a ${sizeBytes}-byte tmpfs and needs root to do so: ${(error as Error).message}`);
  }
  return {
    dir,
    makeReadOnly: async () => {
      await run('mount', ['-o', 'remount,ro', dir]);
    },
    remove: async () => {
      await run('umount', ['-l', dir]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
