import type { Db } from './connect.ts';
import { fromDbTime, toDbTime } from './connect.ts';

// The queries of the verify step: the rows whose file should be on disk, and what it
// found about them. Guarded updates, so a verify that runs twice leaves the same rows.

export interface RecordedFile {
  id: number;
  externalId: string;
  filePath: string;
  bytes?: number;
  sha256?: string;
  status: 'downloaded' | 'missing';
  /** When the file arrived (its last update for rows from before that was recorded). */
  downloadedAt: Date;
}

/** The channel's rows whose file should be there: downloaded or missing, not deleted by retention, after a row id. */
export async function listRecordedFiles(db: Db, channel: string, afterId: number, limit: number): Promise<RecordedFile[]> {
  const rows: Array<{
    id: number;
    external_id: string;
    file_path: string;
    bytes: number | string | null;
    sha256: string | null;
    status: 'downloaded' | 'missing';
    downloaded_at: string | null;
    updated_at: string;
  }> = await db('videos')
    .where({ channel })
    .whereIn('status', ['downloaded', 'missing'])
    .whereNull('deleted_at')
    .whereNotNull('file_path')
    .andWhere('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .select('id', 'external_id', 'file_path', 'bytes', 'sha256', 'status', 'downloaded_at', 'updated_at');
  return rows.map((row) => ({
    id: Number(row.id),
    externalId: row.external_id,
    filePath: row.file_path,
    bytes: row.bytes === null ? undefined : Number(row.bytes),
    sha256: row.sha256 ?? undefined,
    status: row.status,
    downloadedAt: fromDbTime(row.downloaded_at ?? row.updated_at)!,
  }));
}

/** Which of these paths some row records as its file. */
export async function recordedAmong(db: Db, files: readonly string[]): Promise<Set<string>> {
  if (files.length === 0) return new Set();
  const rows: Array<{ file_path: string }> = await db('videos').whereIn('file_path', [...files]).select('file_path');
  return new Set(rows.map((row) => row.file_path));
}

/** A downloaded video whose file is gone: status `missing`, with where it was. */
export async function markMissing(db: Db, id: number, reason: string, now = new Date()): Promise<void> {
  await db('videos')
    .where({ id, status: 'downloaded' })
    .whereNull('deleted_at')
    .update({ status: 'missing', reason: reason.slice(0, 2000), updated_at: toDbTime(now) });
}

/** A video's file found again (moved, or back where it was): downloaded, at `filePath`. */
export async function markFound(db: Db, id: number, filePath: string, now = new Date()): Promise<void> {
  await db('videos')
    .where({ id })
    .whereIn('status', ['downloaded', 'missing'])
    .update({ status: 'downloaded', reason: null, file_path: filePath, updated_at: toDbTime(now) });
}
