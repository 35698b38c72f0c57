import { Context } from '@temporalio/activity';
import path from 'node:path';
import { loadChannelList } from '../config/channels.ts';
import type { Db } from '../db/connect.ts';
import { filesOfOtherVideos, listStoredVideos, markVideoDeleted } from '../db/retention.ts';
import { deleteFiles, locateVideoFiles, type VideoFiles } from '../retention/files.ts';
import { selectExpired } from '../retention/select.ts';
import type { ChannelKeepRule, ExpiredVideo, KeepRule } from '../shared/maintenance.ts';
import { translatingErrors } from './failures.ts';

// Retention's I/O: read the keep rules, find the videos a rule lets go, delete their
// files (never outside the download folder) and mark their rows.

export interface MaintenanceActivityDeps {
  db: Db;
  /** Absolute; nothing outside it is ever deleted. */
  downloadDir: string;
  /** channels.yaml, read when a maintenance run was started without rules (by hand). */
  configPath: string;
}

export function createMaintenanceActivities({ db, downloadDir, configPath }: MaintenanceActivityDeps) {
  /** The video's files, minus any that another row records as its own file. */
  async function filesOf(video: { id: number; filePath: string }): Promise<VideoFiles> {
    const located = await locateVideoFiles(downloadDir, video.filePath);
    if (located.verdict !== 'delete') return located;
    // Rows record the path as written, the files are real paths: compare in both forms.
    const recordedFolder = path.dirname(path.resolve(downloadDir, video.filePath));
    const asRecorded = (file: string) => path.join(recordedFolder, path.basename(file));
    const others = new Set(await filesOfOtherVideos(db, video.id, [...located.files, ...located.files.map(asRecorded)]));
    return { verdict: 'delete', files: located.files.filter((file) => !others.has(file) && !others.has(asRecorded(file))) };
  }

  function expired(video: { id: number; externalId: string; filePath: string }, files: VideoFiles): ExpiredVideo {
    return {
      id: video.id,
      externalId: video.externalId,
      filePath: video.filePath,
      verdict: files.verdict,
      files: files.verdict === 'delete' ? files.files : [],
      ...(files.verdict === 'outside' ? { reason: files.reason } : {}),
    };
  }

  return {
    /** The keep rules of channels.yaml, for a run started without them. */
    async loadKeepRules(): Promise<ChannelKeepRule[]> {
      // A broken file (ChannelFileError) stays broken on retry: it fails at once.
      return translatingErrors(async () => {
        const list = await loadChannelList(configPath);
        return list.channels.flatMap((channel) => (channel.keep ? [{ channel: channel.name, keep: channel.keep }] : []));
      });
    },

    /** The channel's downloaded videos that its rule lets go, each with the files a delete would remove. */
    async listExpiredVideos(input: { channel: string; keep: KeepRule }): Promise<ExpiredVideo[]> {
      const videos = selectExpired(await listStoredVideos(db, input.channel), input.keep, new Date());
      const result: ExpiredVideo[] = [];
      for (const video of videos) {
        result.push(expired(video, await filesOf(video)));
        Context.current().heartbeat();
      }
      return result;
    },

    /**
     * Deletes the video's files and marks its row, after looking again: the folder may
     * have changed since the listing. A video whose files now lead outside the download
     * folder is left alone and reported. Running it twice is harmless.
     */
    async deleteExpiredVideo(input: { id: number; externalId: string; filePath: string }): Promise<ExpiredVideo> {
      const files = await filesOf(input);
      if (files.verdict === 'delete') {
        await deleteFiles(files.files);
        await markVideoDeleted(db, input.id);
        Context.current().log.info('retention deleted a video', { videoId: input.externalId, files: files.files.length });
      } else {
        Context.current().log.warn('retention left a video alone: its file is outside the download folder', { videoId: input.externalId, reason: files.reason });
      }
      return expired(input, files);
    },
  };
}

export type MaintenanceActivities = ReturnType<typeof createMaintenanceActivities>;
