import { Context } from '@temporalio/activity';
import { throttle } from 'lodash-es';
import { existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Db } from '../db/connect.ts';
import { getVideo, markDownloaded } from '../db/videos.ts';
import { downloaderNamed, type Downloader } from '../downloaders/downloader.ts';
import { partWorkDir, removePart, resumeRecordPath } from '../downloaders/part-file.ts';
import { asStorageError, MissedTurnError, NoMediaError, StorageError } from '../errors.ts';
import { waitForTurnMs } from '../rules/transfer-turn.ts';
import { extensionForMediaType, MEDIA_EXTENSIONS, mediaTypeForExtension } from '../naming/media-types.ts';
import { finalPathFor, partPathFor, partPathInside } from '../naming/video-paths.ts';
import type { DownloadedMedia, DownloadInput, DownloadOptions, DownloadProgress, DownloadSummary, DownloadTarget } from '../shared/download.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import type { HostCapacity } from '../temporal/host-capacity.ts';
import { translatingErrors } from './failures.ts';
import { descriptionFromInfoJson, findSidecars, moveSidecar, writeFileAtomically } from '../sidecars/files.ts';
import { buildNfo } from '../sidecars/nfo.ts';
import { writeShowMetadata } from '../sidecars/show.ts';
import { getLibraryChannel } from '../db/library.ts';
import { createUpgradeHostActivities } from './upgrade-transfer.ts';

// The activities pinned to one host's own task queue (`<queue>-host-<id>`): they touch
// the part file, which lives on that host. Fetch into the part with heartbeats, then
// rename it into place and record it, or remove it. Paths arrive relative to the download
// folder and are resolved against this host's; one leading outside it is refused.

/**
 * Chunks arrive thousands of times a second; handing each to the SDK costs a trip into
 * its native core. The SDK throttles what reaches the server; this keeps the calls cheap
 * while the last progress before a pause still goes out (trailing edge).
 */
const PROGRESS_EVERY_MS = 500;

export interface HostActivityDeps {
  db: Db;
  /** One per method; a video names the one it needs (`http` unless its source said otherwise). */
  downloaders: readonly Downloader[];
  /** Absolute; nothing is ever written outside it. */
  downloadDir: string;
  metrics: ActivityMetrics;
  /** Counts the transfers running here, so the host claims no more than it can start (src/temporal/host-capacity.ts). */
  capacity: Pick<HostCapacity, 'transferStarted'>;
}

/** Input of the media transfer. */
export interface DownloadMediaInput {
  target: DownloadTarget;
  /** The channel's downloader settings (yt-dlp format, cookies file). */
  options?: DownloadOptions;
  /** For metrics and logs. */
  channel: string;
  videoId: string;
  /** The start a rate-limited site's claim gave the transfer (src/rules/transfer-turn.ts); a first attempt waits for it. */
  startAt?: number;
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Waits for the transfer's start, or fails it when that has passed. */
export async function waitForTurn(startAt: number, signal: AbortSignal): Promise<void> {
  const waitMs = waitForTurnMs(startAt, Date.now());
  if (waitMs === 'missed') throw new MissedTurnError(Date.now() - startAt);
  await delay(waitMs, undefined, { signal });
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

export function createHostActivities({ db, downloaders, downloadDir, metrics, capacity }: HostActivityDeps) {
  /**
   * The sidecars the channel asked for, next to the video with its stem: what yt-dlp
   * wrote into the work folder is moved, the NFO is written. A plain HTTP download has
   * only what the feed said, so it gets the NFO and nothing else.
   */
  async function placeSidecars(video: DownloadInput, target: DownloadTarget, workDir: string): Promise<void> {
    const wanted = video.download?.write ?? [];
    if (wanted.length === 0) return;
    // Read before the move below takes info.json away.
    const described = wanted.includes('nfo') ? await descriptionFromInfoJson(workDir) : undefined;
    let thumbnail: string | undefined;
    for (const sidecar of await findSidecars(workDir, wanted, video.download?.subtitles ?? [])) {
      await moveSidecar(sidecar.file, finalPathFor(downloadDir, target, sidecar.suffix));
      if (sidecar.kind === 'thumbnail') thumbnail = finalPathFor(downloadDir, target, sidecar.suffix);
    }
    // The channel as a show: tvshow.nfo and a poster in its folder, once.
    if (wanted.includes('nfo') || thumbnail) {
      const channel = await getLibraryChannel(db, video.channel);
      const fields = { title: channel?.title ?? video.channel, channel: video.channel, url: channel?.url };
      await writeShowMetadata(downloadDir, target.relativeStem, fields, { nfo: wanted.includes('nfo'), thumbnail: thumbnail && existsSync(thumbnail) ? thumbnail : undefined });
    }
    if (!wanted.includes('nfo')) return;
    const row = await getVideo(db, video);
    if (!row) return; // resolve found the row; only a deleted one is missing, and then there is nothing to describe
    const nfo = buildNfo({
      title: row.title,
      description: described ?? row.description,
      date: row.publishedAt,
      channel: video.channel,
      externalId: row.externalId,
      uploader: row.uploader,
    });
    await writeFileAtomically(finalPathFor(downloadDir, target, 'nfo'), nfo);
  }

  return {
    /**
     * Streams the media into the part file, resuming what an earlier attempt left, and
     * heartbeats its progress. Cancellation and heartbeat timeouts abort the transfer.
     */
    async downloadMedia(input: DownloadMediaInput): Promise<DownloadedMedia> {
      const context = Context.current();
      const { channel, videoId } = input;
      const previous = context.info.heartbeatDetails as DownloadProgress | undefined;
      if (previous) context.log.info('retrying download', { channel, videoId, attempt: context.info.attempt, previous });

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
      const transferEnded = capacity.transferStarted();
      try {
        return await translatingErrors(
          async () => {
            // Only the first attempt was claimed; a retry resumes its part where it is.
            if (input.startAt !== undefined && context.info.attempt === 1) await waitForTurn(input.startAt, context.cancellationSignal);
            return downloaderNamed(downloaders, input.target.method).download({
              url: input.target.mediaUrl,
              partPath: partPathFor(downloadDir, input.target),
              signal: context.cancellationSignal,
              onProgress,
              options: input.options,
            });
          },
          context.info.attempt,
        );
      } finally {
        transferEnded();
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
        const ext = media.ext ?? target.declaredExt ?? extensionForMediaType(media.contentType);
        if (!ext || !MEDIA_EXTENSIONS.has(ext)) {
          throw new NoMediaError(
            `${target.mediaUrl}: media type ${media.contentType ?? '(none)'} is not on the allow-list, and the link names no known extension`,
          );
        }
        const partPath = partPathFor(downloadDir, target);
        const filePath = finalPathFor(downloadDir, target, ext);
        // Where the finished bytes are: the part, or a file in the part's work folder (yt-dlp).
        const source = media.filePath ? partPathInside(downloadDir, media.filePath) : partPath;
        // A retry after a rename that happened but was not recorded finds the file in place.
        const partBytes = await sizeOf(source);
        if (partBytes !== media.bytes && (await sizeOf(filePath)) !== media.bytes) {
          throw new StorageError(
            `${source} is missing or changed since it was downloaded (${partBytes ?? 'no'} bytes, expected ${media.bytes})`,
          );
        }
        try {
          // Before the media: a retry after the media's rename finds the sidecars placed too.
          await placeSidecars(video, target, partWorkDir(partPath));
          if (partBytes === media.bytes) await rename(source, filePath);
          // Also on a retry whose rename already happened: a crash may have come between
          // the rename and this cleanup, and nothing of the part may outlive the file.
          await rm(resumeRecordPath(partPath), { force: true });
          await rm(partWorkDir(partPath), { recursive: true, force: true });
          await syncDirectory(path.dirname(filePath));
        } catch (error) {
          throw asStorageError(error, filePath);
        }
        await markDownloaded(db, video, {
          filePath,
          bytes: media.bytes,
          sha256: media.sha256,
          // The type of the container a downloader chose (yt-dlp), not the feed's guess.
          ...(media.ext ? { mediaType: mediaTypeForExtension(media.ext) } : {}),
          ...(media.format ? { format: media.format } : {}),
        });
        Context.current().log.info('video downloaded', {
          channel: video.channel,
          videoId: video.externalId,
          filePath,
          bytes: media.bytes,
        });
        return { status: 'downloaded', filePath, bytes: media.bytes, sha256: media.sha256 };
      });
    },

    /** Removes a part file and its resume record from this host: no half file stays behind. */
    async discardPart(input: { target: DownloadTarget }): Promise<void> {
      await translatingErrors(() => removePart(partPathFor(downloadDir, input.target)));
    },

    // A quality upgrade touches the video's file too, so it runs where the file is.
    ...createUpgradeHostActivities({ db, downloaders, downloadDir, metrics, capacity }),
  };
}

export type HostActivities = ReturnType<typeof createHostActivities>;
