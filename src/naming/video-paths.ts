import path from 'node:path';
import { ParkerError } from '../errors.ts';
import { FailureType, type FailureTypeName } from '../shared/failure-types.ts';
import type { DownloadTarget } from '../shared/download.ts';
import { cleanNamePart, videoFileStem, type VideoFileName } from './safe-filename.ts';

// Where a video's files live on the host that downloads it. Targets carry paths relative
// to the download folder; each host resolves them against its own, and nothing resolved
// here can leave that folder.

/** `<channel>/<YYYY-MM-DD> <title> [<id>]`, safe in every part. */
export function relativeStemFor(channel: string, video: VideoFileName): string {
  return path.join(cleanNamePart(channel, 100, 'channel'), videoFileStem(video));
}

/** Thrown when a path would leave the download folder; only a forged target can cause it. Refused, not retried. */
export class OutsideDownloadDirError extends ParkerError {
  override name = 'OutsideDownloadDirError';
  readonly failureType: FailureTypeName = FailureType.StorageError;
  readonly retryable = false;
}

/** An absolute path a downloader reported, checked to be inside the download folder. */
export function partPathInside(downloadDir: string, absolute: string): string {
  return inside(downloadDir, path.relative(downloadDir, absolute));
}

function inside(downloadDir: string, relative: string): string {
  const absolute = path.resolve(downloadDir, relative);
  const back = path.relative(downloadDir, absolute);
  if (!back || back.startsWith('..') || path.isAbsolute(back)) {
    throw new OutsideDownloadDirError(`${relative} is outside ${downloadDir}`);
  }
  return absolute;
}

/** `<final path>.part` (or `<stem>.part` while the extension is not known yet). */
export function partPathFor(downloadDir: string, target: DownloadTarget): string {
  return inside(downloadDir, `${target.relativeStem}${target.declaredExt ? `.${target.declaredExt}` : ''}.part`);
}

export function finalPathFor(downloadDir: string, target: DownloadTarget, ext: string): string {
  return inside(downloadDir, `${target.relativeStem}.${ext}`);
}
