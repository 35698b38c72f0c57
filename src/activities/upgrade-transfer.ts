import { Context } from '@temporalio/activity';
import { throttle } from 'lodash-es';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { recordUpgrade } from '../db/upgrades.ts';
import { getVideo } from '../db/videos.ts';
import { downloaderNamed } from '../downloaders/downloader.ts';
import { removePart } from '../downloaders/part-file.ts';
import { asStorageError, NoMediaError, StorageError } from '../errors.ts';
import { MEDIA_EXTENSIONS, mediaTypeForExtension } from '../naming/media-types.ts';
import { finalPathFor, partPathFor, partPathInside } from '../naming/video-paths.ts';
import { isBetterFormat } from '../rules/upgrade.ts';
import type { DownloadOptions, DownloadProgress, DownloadTarget } from '../shared/download.ts';
import type { UpgradedVideo, UpgradeMedia, UpgradeTarget } from '../shared/upgrade.ts';
import { translatingErrors } from './failures.ts';
import { syncDirectory, waitForTurn, type HostActivityDeps } from './transfer.ts';

// A quality upgrade's file work, pinned to one host's queue like a download's: fetch the
// better format into a work folder beside the video's file, then swap it in with one
// rename in the same folder and record it. Until that rename the video's file is the old
// one, whole; after it, the new one, whole: a crash anywhere leaves one whole file at the
// video's path, and at worst a work folder that the next try removes.

const PROGRESS_EVERY_MS = 500;

/** The targets of the file paths: the video's stem, and beside it the upgrade's work folder. */
function targetOf(target: UpgradeTarget): DownloadTarget {
  return { mediaUrl: target.mediaUrl, relativeStem: target.relativeStem, method: 'ytdlp' };
}
function workTargetOf(target: UpgradeTarget): DownloadTarget {
  return { ...targetOf(target), relativeStem: `${target.relativeStem}.upgrade` };
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

export function createUpgradeHostActivities({ db, downloaders, downloadDir, capacity }: HostActivityDeps) {
  return {
    /**
     * Fetches the better format (exactly the one the check found) into the upgrade's work
     * folder, heartbeating progress. Starts from an empty folder every time: what an
     * earlier try left may be half a file, or another day's format.
     */
    async downloadUpgrade(input: {
      target: UpgradeTarget;
      options?: DownloadOptions;
      channel: string;
      videoId: string;
      /** The start a rate-limited site's claim gave (src/rules/transfer-turn.ts). */
      startAt?: number;
    }): Promise<UpgradeMedia> {
      const context = Context.current();
      const partPath = partPathFor(downloadDir, workTargetOf(input.target));
      const report = throttle((progress: DownloadProgress) => context.heartbeat(progress), PROGRESS_EVERY_MS);
      const transferEnded = capacity.transferStarted();
      try {
        return await translatingErrors(async () => {
          // A site's per_minute counts upgrades too; a late one fails, and tomorrow's check tries again.
          if (input.startAt !== undefined && context.info.attempt === 1) await waitForTurn(input.startAt, context.cancellationSignal);
          await removePart(partPath).catch((error: unknown) => {
            throw asStorageError(error, partPath);
          });
          // The media only: its sidecars (info.json, thumbnail, subtitles) stay as they are.
          const options: DownloadOptions = { ...input.options, format: input.target.to.id };
          delete options.write;
          const media = await downloaderNamed(downloaders, 'ytdlp').download({
            url: input.target.mediaUrl,
            partPath,
            signal: context.cancellationSignal,
            onProgress: report,
            options,
          });
          if (!media.ext || !media.filePath || !MEDIA_EXTENSIONS.has(media.ext)) {
            throw new NoMediaError(`${input.target.mediaUrl}: the upgrade's download left no media file`);
          }
          // yt-dlp may have fetched something else than asked (a format gone meanwhile).
          const fetched = media.format ?? input.target.to;
          if (!isBetterFormat(input.target.from, fetched)) {
            throw new NoMediaError(
              `${input.target.mediaUrl}: yt-dlp fetched format ${fetched.id} (${fetched.height ?? '?'}p), no better than the stored ${input.target.from.id} (${input.target.from.height ?? '?'}p); the file is kept`,
            );
          }
          return { ...media, ext: media.ext, filePath: media.filePath, format: fetched };
        }, context.info.attempt);
      } finally {
        transferEnded();
        report.cancel();
      }
    },

    /**
     * Renames the better file over the video's (same folder, so atomic), records the new
     * format and sha256 with the old sha256 beside them, and removes the work folder. A
     * better format in another container gets the stem's new extension, and the old file
     * is removed once the row points at the new one. Safe to run again after a crash at
     * any point.
     */
    async swapUpgrade(input: { video: { channel: string; externalId: string }; target: UpgradeTarget; media: UpgradeMedia }): Promise<UpgradedVideo> {
      return translatingErrors(async () => {
        const { video, target, media } = input;
        const partPath = partPathFor(downloadDir, workTargetOf(target));
        const source = partPathInside(downloadDir, media.filePath);
        const filePath = finalPathFor(downloadDir, targetOf(target), media.ext);
        const oldPath = finalPathFor(downloadDir, targetOf(target), target.currentExt);
        const row = await getVideo(db, video);
        const recorded = row?.sha256 === media.sha256;
        if (!recorded) {
          if (row?.sha256 !== target.currentSha256) {
            throw new StorageError(`${oldPath}: the row of video ${video.externalId} changed since its upgrade was checked; the upgrade is dropped`);
          }
          const sourceBytes = await sizeOf(source);
          // A try after the rename that was not recorded finds the file in place.
          if (sourceBytes !== media.bytes && (await sizeOf(filePath)) !== media.bytes) {
            throw new StorageError(`${source} is missing or changed since it was downloaded (${sourceBytes ?? 'no'} bytes, expected ${media.bytes})`);
          }
          try {
            if (sourceBytes === media.bytes) await rename(source, filePath);
            await syncDirectory(path.dirname(filePath));
          } catch (error) {
            throw asStorageError(error, filePath);
          }
          await recordUpgrade(db, video, {
            replacedSha256: target.currentSha256,
            filePath,
            bytes: media.bytes,
            sha256: media.sha256,
            format: media.format ?? target.to,
            mediaType: mediaTypeForExtension(media.ext),
          });
        }
        try {
          if (oldPath !== filePath) await rm(oldPath, { force: true });
          await removePart(partPath);
        } catch (error) {
          throw asStorageError(error, oldPath);
        }
        Context.current().log.info('video upgraded', { channel: video.channel, videoId: video.externalId, filePath, from: target.from, to: media.format });
        return { externalId: video.externalId, from: target.from, to: media.format ?? target.to };
      });
    },

    /** Removes an upgrade's work folder: the video's own file is never touched here. */
    async discardUpgrade(input: { target: UpgradeTarget }): Promise<void> {
      await translatingErrors(() => removePart(partPathFor(downloadDir, workTargetOf(input.target))));
    },
  };
}

export type UpgradeHostActivities = ReturnType<typeof createUpgradeHostActivities>;
