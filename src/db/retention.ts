import type { Db } from './connect.ts';
import { fromDbTime, toDbTime } from './connect.ts';

// The queries of retention: which downloaded videos still have their file, and marking
// one whose file was deleted. A deleted video keeps status `downloaded` (see migration
// 003), so no crawl ever starts its download again.

export interface StoredVideo {
  id: number;
  externalId: string;
  filePath: string;
  publishedAt?: Date;
  downloadedAt: Date;
}

/** The channel's downloaded videos whose file retention has not deleted. */
export async function listStoredVideos(db: Db, channel: string): Promise<StoredVideo[]> {
  const rows: Array<{
    id: number;
    external_id: string;
    file_path: string;
    published_at: string | null;
    downloaded_at: string | null;
    updated_at: string;
  }> = await db('videos')
    .where({ channel, status: 'downloaded' })
    .whereNull('deleted_at')
    .whereNotNull('file_path')
    .orderBy('id')
    .select('id', 'external_id', 'file_path', 'published_at', 'downloaded_at', 'updated_at');
  return rows.map((row) => ({
    id: Number(row.id),
    externalId: row.external_id,
    filePath: row.file_path,
    publishedAt: fromDbTime(row.published_at),
    // Rows downloaded before migration 003 have no download time; their last update was
    // the download, as nothing updates a downloaded row afterwards.
    downloadedAt: fromDbTime(row.downloaded_at ?? row.updated_at)!,
  }));
}

/** Other rows that name one of these files: never deleted as someone else's sidecar. */
export async function filesOfOtherVideos(db: Db, id: number, files: readonly string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const rows: Array<{ file_path: string }> = await db('videos').whereIn('file_path', [...files]).whereNot('id', id).select('file_path');
  return rows.map((row) => row.file_path);
}

/** Marks the video's file deleted; a second call keeps the first time. */
export async function markVideoDeleted(db: Db, id: number, now = new Date()): Promise<void> {
  await db('videos')
    .where({ id, status: 'downloaded' })
    .whereNull('deleted_at')
    .update({ deleted_at: toDbTime(now), updated_at: toDbTime(now) });
}
