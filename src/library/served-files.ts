import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isWithin, stemOf } from '../retention/files.ts';

// Which files the library server may send: a video's recorded file and its thumbnail,
// each only as a regular file whose real path (symlinks followed) is inside the download
// folder. A row that names a path elsewhere, or a link that leads out, serves nothing.

export interface ServedFile {
  /** Real path, inside the download folder's real path. */
  absolute: string;
  /** The download folder's real path, which the file is inside. */
  root: string;
  size: number;
}

/** Image files a thumbnail sidecar may be, in the order they are looked for. */
const THUMBNAIL_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];

async function realpathOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await realpath(file);
  } catch {
    return undefined; // gone, unreadable or a dangling link: nothing to serve
  }
}

/** The file at `recordedPath` (absolute, or relative to the download folder), when it may be served. */
export async function servedFile(downloadDir: string, recordedPath: string): Promise<ServedFile | undefined> {
  const root = await realpathOrUndefined(downloadDir);
  if (!root) return undefined;
  const recorded = path.resolve(downloadDir, recordedPath);
  // The recorded path itself must be inside too: a row naming /etc/passwd serves nothing,
  // even where DOWNLOAD_DIR is a link to /.
  if (!isWithin(downloadDir, recorded) && !isWithin(root, recorded)) return undefined;
  const absolute = await realpathOrUndefined(recorded);
  if (!absolute || absolute === root || !isWithin(root, absolute)) return undefined;
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  return { absolute, root, size: info.size };
}

/** The thumbnail next to a video's file (`<stem>.jpg` and the like), when there is one to serve. */
export async function servedThumbnail(downloadDir: string, recordedPath: string): Promise<ServedFile | undefined> {
  const stem = path.join(path.dirname(recordedPath), stemOf(path.basename(recordedPath)));
  for (const ext of THUMBNAIL_EXTENSIONS) {
    const found = await servedFile(downloadDir, `${stem}.${ext}`);
    if (found) return found;
  }
  return undefined;
}
