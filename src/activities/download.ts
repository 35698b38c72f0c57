import { Context, ApplicationFailure } from '@temporalio/activity';
import { throttle } from 'lodash-es';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/connect.ts';
import { getVideo, markDownloaded, markDownloading, markFailed, type VideoKey } from '../db/videos.ts';
import type { Downloader } from '../downloaders/downloader.ts';
import { removePart, resumeRecordPath } from '../downloaders/part-file.ts';
import { asStorageError, NoMediaError } from '../errors.ts';
import { extensionForMediaType, extensionFromUrl, MEDIA_EXTENSIONS } from '../naming/media-types.ts';
import { cleanNamePart, videoFileStem } from '../naming/safe-filename.ts';
import { FailureType } from '../shared/failure-types.ts';
import type { DownloadedMedia, DownloadInput, DownloadProgress, DownloadSummary, DownloadTarget } from '../shared/types.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import { translatingErrors } from './failures.ts';

// The download's I/O: decide where the file goes, fetch it into a part file with
// heartbeats, then rename it into place and record it.

/**
 * Chunks arrive thousands of times a second; handing each to the SDK costs a trip into
 * its native core. The SDK throttles what reaches the server; this keeps the calls cheap
 * while the last progress before a pause still goes out (trailing edge).
 */
const PROGRESS_EVERY_MS = 500;

export interface DownloadActivityDeps {
  db: Db;
  downloader: Downloader;
  /** Absolute; nothing is ever written outside it. */
  downloadDir: string;
  metrics: ActivityMetrics;
}

/** Input of the media transfer. */
export interface DownloadMediaInput {
  url: string;
  partPath: string;
  /** For metrics and logs. Optional: downloads started before it existed do not send it. */
  channel?: string;
  videoId?: string;
}

/** The resolved target, or the summary of a download that already finished. */
export type ResolveResult = { target: DownloadTarget } | { alreadyDownloaded: DownloadSummary };

function assertInside(root: string, candidate: string): void {
  const relative = path.relative(root, candidate);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw ApplicationFailure.nonRetryable(`${candidate} is outside ${root}`, FailureType.StorageError);
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

export function createDownloadActivities({ db, downloader, downloadDir, metrics }: DownloadActivityDeps) {
  return {
    /** Reads the video's row, marks it downloading, and decides its part and final paths. */
    async resolveDownload(input: DownloadInput): Promise<ResolveResult> {
      return translatingErrors(async () => {
        const video = await getVideo(db, input);
        if (!video) {
          throw ApplicationFailure.nonRetryable(
            `no recorded video ${input.externalId} in channel ${input.channel}`,
            FailureType.UnknownVideo,
          );
        }
        if (video.status === 'downloaded' && video.filePath && video.sha256 && video.bytes !== undefined) {
          return {
            alreadyDownloaded: { status: 'downloaded', filePath: video.filePath, bytes: video.bytes, sha256: video.sha256 },
          };
        }
        if (!video.mediaUrl) throw new NoMediaError(`video ${input.externalId} has no media link`);
        await markDownloading(db, input);

        const folder = path.join(downloadDir, cleanNamePart(input.channel, 100, 'channel'));
        const finalStem = path.join(
          folder,
          videoFileStem({ date: video.publishedAt ?? video.createdAt, title: video.title, externalId: video.externalId }),
        );
        assertInside(downloadDir, finalStem);
        const declaredExt = extensionForMediaType(video.mediaType) ?? extensionFromUrl(video.mediaUrl);
        const partPath = declaredExt ? `${finalStem}.${declaredExt}.part` : `${finalStem}.part`;
        return { target: { mediaUrl: video.mediaUrl, partPath, finalStem, declaredExt } };
      });
    },

    /**
     * Streams the media into the part file, resuming what an earlier attempt left, and
     * heartbeats its progress. Cancellation and heartbeat timeouts abort the transfer.
     */
    async downloadMedia(input: DownloadMediaInput): Promise<DownloadedMedia> {
      const context = Context.current();
      const channel = input.channel ?? 'unknown';
      const ids = { channel, videoId: input.videoId };
      const previous = context.info.heartbeatDetails as DownloadProgress | undefined;
      if (previous) context.log.info('retrying download', { ...ids, attempt: context.info.attempt, previous });

      // Bytes are counted as they arrive (a failed attempt's bytes were transferred too),
      // in the same throttled beat as the heartbeat, and once more at the end.
      let counted: number | undefined;
      let received: number | undefined;
      const countBytes = () => {
        if (counted !== undefined && received !== undefined && received > counted) {
          metrics.downloadedBytes.add(received - counted, { channel });
        }
        counted = received;
      };
      const report = throttle((progress: DownloadProgress) => {
        countBytes();
        context.heartbeat(progress);
      }, PROGRESS_EVERY_MS);
      const onProgress = (progress: DownloadProgress) => {
        // The first report is where this attempt starts: resumed bytes are not new.
        counted ??= progress.bytesDone;
        received = progress.bytesDone;
        report(progress);
      };

      metrics.downloadsInFlight.add(1, { channel });
      try {
        return await translatingErrors(() =>
          downloader.download({ url: input.url, partPath: input.partPath, signal: context.cancellationSignal, onProgress }),
        );
      } finally {
        report.cancel();
        countBytes();
        metrics.downloadsInFlight.add(-1, { channel });
      }
    },

    /** Renames the part into place atomically and records the finished download. */
    async finalizeDownload(input: {
      video: DownloadInput;
      target: DownloadTarget;
      media: DownloadedMedia;
    }): Promise<DownloadSummary> {
      return translatingErrors(async () => {
        const { video, target, media } = input;
        const ext = target.declaredExt ?? extensionForMediaType(media.contentType);
        if (!ext || !MEDIA_EXTENSIONS.has(ext)) {
          throw new NoMediaError(
            `${target.mediaUrl}: media type ${media.contentType ?? '(none)'} is not on the allow-list, and the link names no known extension`,
          );
        }
        const filePath = `${target.finalStem}.${ext}`;
        assertInside(downloadDir, filePath);
        // A retry after a rename that happened but was not recorded finds the file in place.
        const partBytes = await sizeOf(target.partPath);
        if (partBytes === media.bytes) {
          try {
            // The resume record goes first: the part is complete, so no retry needs it,
            // and a finished file never shows up next to a leftover record.
            await rm(resumeRecordPath(target.partPath), { force: true });
            await rename(target.partPath, filePath);
            await syncDirectory(path.dirname(filePath));
          } catch (error) {
            throw asStorageError(error, filePath);
          }
        } else if ((await sizeOf(filePath)) !== media.bytes) {
          throw ApplicationFailure.nonRetryable(
            `${target.partPath} is missing or changed since it was downloaded (${partBytes ?? 'no'} bytes, expected ${media.bytes})`,
            FailureType.StorageError,
          );
        }
        await markDownloaded(db, video, { filePath, bytes: media.bytes, sha256: media.sha256 });
        Context.current().log.info('video downloaded', {
          channel: video.channel,
          videoId: video.externalId,
          filePath,
          bytes: media.bytes,
        });
        return { status: 'downloaded', filePath, bytes: media.bytes, sha256: media.sha256 };
      });
    },

    /** Records why a video could not be downloaded, and removes its part file. */
    async markVideoFailed(input: { video: VideoKey; reason: string; partPath?: string }): Promise<void> {
      if (input.partPath) {
        assertInside(downloadDir, input.partPath);
        await removePart(input.partPath);
      }
      await markFailed(db, input.video, input.reason);
      Context.current().log.warn('video failed', {
        channel: input.video.channel,
        videoId: input.video.externalId,
        reason: input.reason,
      });
    },
  };
}

export type DownloadActivities = ReturnType<typeof createDownloadActivities>;
