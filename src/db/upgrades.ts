import type { Db } from './connect.ts';
import { toDbTime } from './connect.ts';
import type { VideoKey } from './videos.ts';
import type { MediaFormat } from '../shared/download.ts';
import type { UpgradeCandidate } from '../shared/upgrade.ts';

// The queries of a channel's quality upgrades (src/workflows/upgrade.ts): which videos
// are due for a check, the stamp that keeps a video to one check a day, and the swap of
// the row to the better file.

/**
 * The channel's videos that yt-dlp downloaded since `downloadedSince`, whose format is
 * recorded with a height (nothing to compare with otherwise), still on disk, and not
 * checked since `checkedBefore`; oldest download first, at most `limit`.
 */
export async function listUpgradeCandidates(
  db: Db,
  channel: string,
  window: { downloadedSince: Date; checkedBefore: Date },
  limit: number,
): Promise<UpgradeCandidate[]> {
  const rows: Array<{ external_id: string; format_id: string; format_height: number }> = await db('videos')
    .where({ channel, status: 'downloaded', downloader: 'ytdlp' })
    .whereNull('deleted_at')
    .whereNotNull('file_path')
    .whereNotNull('sha256')
    .whereNotNull('format_id')
    .whereNotNull('format_height')
    .where('downloaded_at', '>=', toDbTime(window.downloadedSince))
    .andWhere((due) => {
      due.whereNull('upgrade_checked_at').orWhere('upgrade_checked_at', '<=', toDbTime(window.checkedBefore));
    })
    .orderBy('downloaded_at')
    .orderBy('id')
    .limit(limit)
    .select('external_id', 'format_id', 'format_height');
  return rows.map((row) => ({ externalId: row.external_id, format: { id: row.format_id, height: Number(row.format_height) } }));
}

/** Notes that the site was asked about the video now: the next check waits a day. */
export async function stampUpgradeCheck(db: Db, key: VideoKey, now = new Date()): Promise<void> {
  await db('videos').where({ channel: key.channel, external_id: key.externalId }).update({ upgrade_checked_at: toDbTime(now) });
}

/**
 * Points the row at the better file, keeping the sha256 of the one it replaced. Guarded
 * by that sha256: a swap recorded already (the activity ran twice) changes nothing.
 */
export async function recordUpgrade(
  db: Db,
  key: VideoKey,
  upgrade: { replacedSha256: string; filePath: string; bytes: number; sha256: string; format: MediaFormat; mediaType?: string },
  now = new Date(),
): Promise<void> {
  await db('videos')
    .where({ channel: key.channel, external_id: key.externalId, sha256: upgrade.replacedSha256 })
    .update({
      ...(upgrade.mediaType ? { media_type: upgrade.mediaType } : {}),
      file_path: upgrade.filePath,
      bytes: upgrade.bytes,
      sha256: upgrade.sha256,
      previous_sha256: upgrade.replacedSha256,
      format_id: upgrade.format.id,
      format_height: upgrade.format.height ?? null,
      upgraded_at: toDbTime(now),
      updated_at: toDbTime(now),
    });
}
