import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isWithin } from '../retention/files.ts';
import { MEDIA_EXTENSIONS } from '../naming/media-types.ts';

// The file checks of the verify step: is a downloaded video's file where its row says,
// with the size it had; and, for one that is gone, the files inside the download folder
// it may have been moved to. Read only, and never outside the download folder: real
// paths are compared, symlinks are not followed while looking.

export type FileCheck =
  | { state: 'present'; absolute: string }
  | { state: 'changed'; absolute: string; reason: string }
  | { state: 'absent' }
  | { state: 'outside'; reason: string };

/** What is at a row's recorded path (absolute, or relative to the download folder). */
export async function checkRecordedFile(downloadDir: string, filePath: string, bytes: number | undefined): Promise<FileCheck> {
  const root = await realpath(downloadDir);
  const recorded = path.resolve(downloadDir, filePath);
  if (!isWithin(downloadDir, recorded) && !isWithin(root, recorded)) {
    return { state: 'outside', reason: `${recorded} is outside the download folder ${downloadDir}` };
  }
  let absolute: string;
  try {
    absolute = await realpath(recorded);
  } catch (error) {
    // Gone, or a link whose target is gone: either way the file is not there.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  if (!isWithin(root, absolute)) return { state: 'outside', reason: `${recorded} resolves to ${absolute}, outside ${root}` };
  const info = await stat(absolute);
  if (!info.isFile()) return { state: 'changed', absolute, reason: `${absolute} is not a file` };
  if (bytes !== undefined && info.size !== bytes) {
    return { state: 'changed', absolute, reason: `${absolute} has ${info.size} bytes, ${bytes} were downloaded` };
  }
  return { state: 'present', absolute };
}

/** Names the downloaders write while they work, never a finished video. */
const WORK_FILE = /\.(part|resume\.json|tmp|ytdl)$/i;

/**
 * Media files below the download folder, by size: where a moved file can be. Regular
 * files only (a symlink is not followed, so nothing outside is ever read), with an
 * extension from the media allow-list.
 */
export async function mediaFilesBySize(downloadDir: string, onFile: () => void = () => {}): Promise<Map<number, string[]>> {
  const root = await realpath(downloadDir);
  const bySize = new Map<number, string[]>();
  const folders = [root];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for await (const entry of await opendir(folder)) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        folders.push(file);
        continue;
      }
      const ext = path.extname(entry.name).slice(1).toLowerCase();
      if (!entry.isFile() || WORK_FILE.test(entry.name) || !MEDIA_EXTENSIONS.has(ext)) continue;
      const info = await lstat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      onFile();
      bySize.set(info.size, [...(bySize.get(info.size) ?? []), file]);
    }
  }
  return bySize;
}
