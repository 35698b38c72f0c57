import { lstat, readdir, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';

// Finding and deleting a video's files for retention, without ever touching anything
// outside the download folder: paths are resolved to real paths first, and a symlink that
// leads outside makes the whole video "outside", reported and left alone.

/** The files of one video, or why they are refused. */
export type VideoFiles =
  | { verdict: 'delete'; files: string[] }
  | { verdict: 'outside'; reason: string };

/** Whether `child` is `root` itself or below it (both absolute, normalised). */
export function isWithin(root: string, child: string): boolean {
  const relative = path.relative(root, child);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** The name without its last extension: `a [id].mp4` → `a [id]`. */
export function stemOf(fileName: string): string {
  const ext = path.extname(fileName);
  return ext ? fileName.slice(0, -ext.length) : fileName;
}

/**
 * Whether `fileName` is the video of `stem` or one of its sidecars: `<stem>.<suffix>`,
 * where the suffix is made of short extension-like parts only (`mp4`, `info.json`,
 * `en.vtt`, `mp4.part`). A longer name that merely starts with the stem, such as another
 * video's `<stem>.2 other title [id].mp4` or `<stem>-extra.mp4`, is not.
 */
export function isFileOfStem(fileName: string, stem: string): boolean {
  if (!fileName.startsWith(`${stem}.`)) return false;
  return /^[A-Za-z0-9_-]{1,24}(\.[A-Za-z0-9_-]{1,24}){0,3}$/.test(fileName.slice(stem.length + 1));
}

async function realpathOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The files a delete of this video would remove: its file and its sidecars, real paths
 * inside `downloadDir`. Nothing when they are gone already. `outside` when the recorded
 * path, its folder, or a symlink among its files leads out of the download folder.
 */
export async function locateVideoFiles(downloadDir: string, filePath: string): Promise<VideoFiles> {
  const root = await realpath(downloadDir);
  const recorded = path.resolve(downloadDir, filePath);
  if (!isWithin(downloadDir, recorded) && !isWithin(root, recorded)) {
    return { verdict: 'outside', reason: `${recorded} is outside the download folder ${downloadDir}` };
  }
  const folder = await realpathOrUndefined(path.dirname(recorded));
  if (folder === undefined) return { verdict: 'delete', files: [] };
  if (!isWithin(root, folder)) {
    return { verdict: 'outside', reason: `the folder of ${recorded} resolves to ${folder}, outside ${root}` };
  }
  const stem = stemOf(path.basename(recorded));
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (!isFileOfStem(entry.name, stem)) continue;
    const file = path.join(folder, entry.name);
    const info = await lstat(file).catch(() => undefined);
    if (!info || info.isDirectory()) continue;
    if (info.isSymbolicLink()) {
      // Where it points, even when the target is gone: a link may be re-pointed later.
      const target = (await realpathOrUndefined(file)) ?? path.resolve(folder, await readlink(file));
      if (!isWithin(root, target)) return { verdict: 'outside', reason: `${file} is a symlink to ${target}, outside ${root}` };
    }
    files.push(file);
  }
  return { verdict: 'delete', files: files.sort() };
}

/** Removes the files; one already gone is what was wanted. Removing a symlink never touches its target. */
export async function deleteFiles(files: readonly string[]): Promise<void> {
  for (const file of files) await rm(file, { force: true });
}
