import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';
import { claimStem, getVideo, markDownloading, markFailed, type VideoKey, type VideoRow } from '../db/videos.ts';
import { NoMediaError, StorageError, UnknownVideoError } from '../errors.ts';
import { extensionForMediaType, extensionFromUrl } from '../naming/media-types.ts';
import { DEFAULT_OUTPUT_TEMPLATE, expandOutputTemplate, stemWithCounter } from '../naming/output-template.ts';
import type { DownloadInput, DownloadSummary, DownloadTarget } from '../shared/download.ts';
import { loadChannelList } from '../config/channels.ts';
import { failureKindOf } from '../rules/retry-schedule.ts';
import type { ActivityMetrics } from '../telemetry/metrics.ts';
import { translatingErrors } from './failures.ts';

// The download's bookkeeping on the download workflows' queue: decide where the file goes
// and where its host is claimed before the transfer, and record a failure after it. The transfer itself runs on
// one host's own queue (transfer.ts).

export interface DownloadActivityDeps {
  db: Db;
  /** The task queue where a host is claimed for the transfer of this media URL. */
  claimTaskQueueFor: (mediaUrl: string) => string;
  /** channels.yaml: whether the channel sends notifications. */
  configPath: string;
  /** The waits before later crawls try a transient failure again (PARKER_RETRY_DELAYS). */
  retryDelaysMs: readonly number[];
  metrics: ActivityMetrics;
}

/** What the download workflow reports when it gives up on a video. */
export interface VideoFailedInput {
  video: VideoKey;
  reason: string;
  /**
   * The failure type at the root (src/shared/failure-label.ts), which says whether a later
   * crawl tries again. Absent in workflows started before there were retries: transient.
   */
  failure?: string;
}

/**
 * The resolved target and the queue to claim a host on, or the summary of a download that
 * already finished. `claimTaskQueue` is missing from results recorded by older workers;
 * `notify`: the channel's `notify:` sends word of the video's end (src/workflows/notify.ts).
 */
export type ResolveResult = { target: DownloadTarget; claimTaskQueue?: string; notify?: true } | { alreadyDownloaded: DownloadSummary };

/** Whether channels.yaml gives the channel notifications; a file that cannot be read gives none (the crawls report it). */
async function notifies(configPath: string, channel: string): Promise<boolean> {
  try {
    return (await loadChannelList(configPath)).channels.some((entry) => entry.name === channel && entry.notify);
  } catch {
    return false;
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
  throw new StorageError(
    `${MAX_SAME_STEM} videos already have the name ${stem}: put {title} or {id} in channel ${input.channel}'s output template`,
  );
}

export function createDownloadActivities({ db, claimTaskQueueFor, configPath, retryDelaysMs, metrics }: DownloadActivityDeps) {
  return {
    /** Reads the video's row, marks it downloading, and decides its file name. */
    async resolveDownload(input: DownloadInput): Promise<ResolveResult> {
      return translatingErrors(async () => {
        const video = await getVideo(db, input);
        if (!video) throw new UnknownVideoError(input.channel, input.externalId);
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
        const target = { mediaUrl: video.mediaUrl, relativeStem, declaredExt, method };
        const claimTaskQueue = claimTaskQueueFor(video.mediaUrl);
        return (await notifies(configPath, input.channel)) ? { target, claimTaskQueue, notify: true } : { target, claimTaskQueue };
      });
    },

    /**
     * Records why a video could not be downloaded, and whether and when a later crawl
     * tries it again (src/rules/retry-schedule.ts); the activity reads the clock.
     */
    async markVideoFailed(input: VideoFailedInput): Promise<void> {
      const kind = failureKindOf(input.failure ?? 'unknown');
      const plan = await markFailed(db, input.video, { reason: input.reason, kind }, retryDelaysMs, new Date());
      const labels = { channel: input.video.channel, reason: input.failure ?? 'unknown' };
      if (plan && 'retryAt' in plan) metrics.retriesScheduled.add(1, labels);
      if (plan && 'givenUp' in plan) metrics.downloadsGivenUp.add(1, labels);
      Context.current().log.warn('video failed', {
        channel: input.video.channel,
        videoId: input.video.externalId,
        reason: input.reason,
        failureKind: kind,
        attempts: plan?.attempts,
        ...(plan && 'retryAt' in plan ? { retryAt: plan.retryAt.toISOString() } : {}),
        ...(plan && 'givenUp' in plan ? { givenUp: true } : {}),
      });
    },
  };
}

export type DownloadActivities = ReturnType<typeof createDownloadActivities>;
