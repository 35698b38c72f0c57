import { Context } from '@temporalio/activity';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadChannelList } from '../config/channels.ts';
import type { Db } from '../db/connect.ts';
import { listUpgradeCandidates, stampUpgradeCheck } from '../db/upgrades.ts';
import { getVideo } from '../db/videos.ts';
import { isBetterFormat, upgradeWindow } from '../rules/upgrade.ts';
import type { DownloadOptions } from '../shared/download.ts';
import type { ChannelUpgradePlan, UpgradeCandidate, UpgradeCheck } from '../shared/upgrade.ts';
import { probeBestFormat } from '../ytdlp/best-format.ts';
import type { YtDlpInvocation } from '../ytdlp/invocation.ts';
import { translatingErrors } from './failures.ts';

// The upgrade step's checks, on the main queue: which channels ask for upgrades, which
// of their videos are due, and, per video, what yt-dlp would fetch now. The better file's
// download and swap run on a host's queue (upgrade-transfer.ts).

/** Videos of one channel checked in one run at most; the rest wait for the next day's run. */
export const MAX_UPGRADE_CHECKS_PER_RUN = 200;

export interface UpgradeActivityDeps {
  db: Db;
  configPath: string;
  /** yt-dlp as the worker runs it, through its forward proxy. */
  ytdlp: YtDlpInvocation;
  /** The task queue where a host is claimed for a transfer from this media URL. */
  claimTaskQueueFor: (mediaUrl: string) => string;
}

export function createUpgradeActivities({ db, configPath, ytdlp, claimTaskQueueFor }: UpgradeActivityDeps) {
  return {
    /** The channels of channels.yaml with `upgrade:`; none when there is no file. */
    async loadUpgradePlan(): Promise<ChannelUpgradePlan[]> {
      return translatingErrors(async () => {
        if (!existsSync(configPath)) return [];
        const list = await loadChannelList(configPath);
        return list.channels.flatMap((channel) =>
          channel.upgrade ? [{ channel: channel.name, withinMs: channel.upgrade.withinMs, ...(channel.download ? { download: channel.download } : {}) }] : [],
        );
      });
    },

    /** The channel's videos downloaded within `withinMs` and not checked in the last day; the activity reads the clock. */
    async listUpgradeCandidates(input: { channel: string; withinMs: number }): Promise<UpgradeCandidate[]> {
      return listUpgradeCandidates(db, input.channel, upgradeWindow(new Date(), input.withinMs), MAX_UPGRADE_CHECKS_PER_RUN);
    },

    /**
     * Asks yt-dlp which format a download of the video would fetch now, and whether it
     * beats the stored one. The check is stamped first (a dry run stamps nothing), so a
     * video is asked about once a day even when the asking fails.
     */
    async checkVideoUpgrade(input: { channel: string; externalId: string; download?: DownloadOptions; dryRun?: boolean }): Promise<UpgradeCheck> {
      const context = Context.current();
      return translatingErrors(async () => {
        const video = await getVideo(db, input);
        // Changed since it was listed: deleted by retention, reset by hand.
        if (!video || video.status !== 'downloaded' || video.deletedAt || !video.filePath || !video.sha256 || !video.mediaUrl || !video.relativeStem || !video.formatId) {
          return { better: false };
        }
        if (!input.dryRun) await stampUpgradeCheck(db, input);
        const from = { id: video.formatId, ...(video.formatHeight ? { height: video.formatHeight } : {}) };
        const offered = await probeBestFormat(ytdlp, video.mediaUrl, input.download, context.cancellationSignal);
        if (!isBetterFormat(from, offered)) return { better: false, offered };
        context.log.info('better format found', { channel: input.channel, videoId: input.externalId, from, to: offered });
        return {
          better: true,
          target: {
            mediaUrl: video.mediaUrl,
            relativeStem: video.relativeStem,
            currentExt: path.extname(video.filePath).slice(1),
            currentSha256: video.sha256,
            from,
            to: offered,
          },
          claimTaskQueue: claimTaskQueueFor(video.mediaUrl),
        };
      }, context.info.attempt);
    },
  };
}

export type UpgradeActivities = ReturnType<typeof createUpgradeActivities>;
