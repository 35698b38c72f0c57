import { ApplicationFailure, Context } from '@temporalio/activity';
import { throttle } from 'lodash-es';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/connect.ts';
import { claimStem, getVideo, markDownloaded, markDownloading, markFailed, type VideoKey, type VideoRow } from '../db/videos.ts';
import { downloaderNamed, type Downloader } from '../downloaders/downloader.ts';
import { partWorkDir, removePart, resumeRecordPath } from '../downloaders/part-file.ts';
import { asStorageError, NoMediaError } from '../errors.ts';
import { extensionForMediaType, extensionFromUrl, MEDIA_EXTENSIONS } from '../naming/media-types.ts';
import { DEFAULT_OUTPUT_TEMPLATE, expandOutputTemplate, stemWithCounter } from '../naming/output-template.ts';
import { finalPathFor, OutsideDownloadDirError, partPathFor, partPathInside } from '../naming/video-paths.ts';
import { FailureType } from '../shared/failure-types.ts';
import type {
  DownloadedMedia,
  DownloadHost,
  DownloadInput,
  DownloadOptions,
  DownloadProgress,
  DownloadSummary,
  DownloadTarget,
} from '../shared/types.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import { translatingErrors } from './failures.ts';
import { descriptionFromInfoJson, findSidecars, moveSidecar, writeFileAtomically } from '../sidecars/files.ts';
import { buildNfo } from '../sidecars/nfo.ts';

// The download's I/O: decide where the file goes (any worker), pin the transfer to one
// host, fetch into a part file there with heartbeats, then rename it into place and
// record it (on that host).

/**
 * Chunks arrive thousands of times a second; handing each to the SDK costs a trip into
 * its native core. The SDK throttles what reaches the server; this keeps the calls cheap
 * while the last progress before a pause still goes out (trailing edge).
 */
const PROGRESS_EVERY_MS = 500;

export interface DownloadActivityDeps {
  db: Db;
  /** One per method; a video names the one it needs (`http` unless its source said otherwise). */
  downloaders: readonly Downloader[];
  /** Absolute; nothing is ever written outside it. */
  downloadDir: string;
  /** This worker's host, to which the transfers it claims are pinned. */
  host: DownloadHost;
  metrics: ActivityMetrics;
}

/** Input of the media transfer. */
export interface DownloadMediaInput {
  target: DownloadTarget;
  /** The channel's downloader settings (yt-dlp format, cookies file). */
  options?: DownloadOptions;
  /** For metrics and logs. */
  channel: string;
  videoId: string;
}

/** The resolved target, or the summary of a download that already finished. */
export type ResolveResult = { target: DownloadTarget } | { alreadyDownloaded: DownloadSummary };

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

/**
 * Videos that may share one name before the counter gives up: a template with neither
 * {title} nor {id} in its file name gives every video of a channel the same one.
 */
export const MAX_SAME_STEM = 1000;

/**
 * The stem of a video's files: the one it was given before (a retry, a second resolve),
 * else the template's, else the template's with ` (2)`, ` (3)`… when other videos hold it.
 */
async function stemFor(db: Db, input: DownloadInput, video: VideoRow): Promise<string> {
  if (video.relativeStem) return video.relativeStem;
  const stem = expandOutputTemplate(input.download?.output ?? DEFAULT_OUTPUT_TEMPLATE, {
    channel: input.channel,
    title: video.title,
    externalId: video.externalId,
    date: video.publishedAt ?? video.createdAt,
    uploader: video.uploader,
  });
  for (let n = 1; n <= MAX_SAME_STEM; n++) {
    const candidate = n === 1 ? stem : stemWithCounter(stem, n);
    if (await claimStem(db, input, candidate)) return candidate;
  }
  throw ApplicationFailure.nonRetryable(
    `${MAX_SAME_STEM} videos already have the name ${stem}: put {title} or {id} in channel ${input.channel}'s output template`,
    FailureType.StorageError,
  );
}

/** Paths resolved against this host's folder; a forged target is refused, not retried. */
function local<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof OutsideDownloadDirError) throw ApplicationFailure.nonRetryable(error.message, FailureType.StorageError);
    throw error;
  }
}

export function createDownloadActivities({ db, downloaders, downloadDir, host, metrics }: DownloadActivityDeps) {
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
    for (const sidecar of await findSidecars(workDir, wanted, video.download?.subtitles ?? [])) {
      await moveSidecar(sidecar.file, local(() => finalPathFor(downloadDir, target, sidecar.suffix)));
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
    await writeFileAtomically(local(() => finalPathFor(downloadDir, target, 'nfo')), nfo);
  }

  return {
    /** Reads the video's row, marks it downloading, and decides its file name. */
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
        const relativeStem = await stemFor(db, input, video);
        const method = video.downloader ?? 'http';
        // yt-dlp picks the container itself; a page URL's extension says nothing.
        const declaredExt =
          method === 'http' ? (extensionForMediaType(video.mediaType) ?? extensionFromUrl(video.mediaUrl)) : undefined;
        return { target: { mediaUrl: video.mediaUrl, relativeStem, declaredExt, method } };
      });
    },

    /** Runs on the shared downloads queue: whichever host picks it up takes the transfer. */
    async claimDownloadHost(): Promise<DownloadHost> {
      return host;
    },

    /**
     * Streams the media into the part file, resuming what an earlier attempt left, and
     * heartbeats its progress. Cancellation and heartbeat timeouts abort the transfer.
     */
    async downloadMedia(input: DownloadMediaInput): Promise<DownloadedMedia> {
      const context = Context.current();
      const { channel, videoId } = input;
      const previous = context.info.heartbeatDetails as DownloadProgress | undefined;
      if (previous) context.log.info('retrying download', { channel, videoId, attempt: context.info.attempt, previous });
      const partPath = local(() => partPathFor(downloadDir, input.target));

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
        return await translatingErrors(
          () =>
            downloaderNamed(downloaders, input.target.method).download({
              url: input.target.mediaUrl,
              partPath,
              signal: context.cancellationSignal,
              onProgress,
              options: input.options,
            }),
          context.info.attempt,
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
        const ext = media.ext ?? target.declaredExt ?? extensionForMediaType(media.contentType);
        if (!ext || !MEDIA_EXTENSIONS.has(ext)) {
          throw new NoMediaError(
            `${target.mediaUrl}: media type ${media.contentType ?? '(none)'} is not on the allow-list, and the link names no known extension`,
          );
        }
        const partPath = local(() => partPathFor(downloadDir, target));
        const filePath = local(() => finalPathFor(downloadDir, target, ext));
        // Where the finished bytes are: the part, or a file in the part's work folder (yt-dlp).
        const source = media.filePath ? local(() => partPathInside(downloadDir, media.filePath!)) : partPath;
        // A retry after a rename that happened but was not recorded finds the file in place.
        const partBytes = await sizeOf(source);
        if (partBytes !== media.bytes && (await sizeOf(filePath)) !== media.bytes) {
          throw ApplicationFailure.nonRetryable(
            `${source} is missing or changed since it was downloaded (${partBytes ?? 'no'} bytes, expected ${media.bytes})`,
            FailureType.StorageError,
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

    /** Removes a part file and its resume record from this host: no half file stays behind. */
    async discardPart(input: { target: DownloadTarget }): Promise<void> {
      await removePart(local(() => partPathFor(downloadDir, input.target)));
    },

    /** Records why a video could not be downloaded. */
    async markVideoFailed(input: { video: VideoKey; reason: string }): Promise<void> {
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
