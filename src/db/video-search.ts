import type { Db } from './connect.ts';
import { toDbTime } from './connect.ts';
import { toVideo, type RawVideoRow, type VideoRow, type VideoStatus } from './videos.ts';

// The queries behind `parker videos list` and `parker channels backfill`: what an operator
// asks of the table, newest first, bounded.

export interface VideoFilter {
  channel?: string;
  status?: VideoStatus;
  /** Rows recorded at or after this time. */
  since?: Date;
  /** Part of the title, any case. */
  search?: string;
  limit: number;
}

export async function searchVideos(db: Db, filter: VideoFilter): Promise<VideoRow[]> {
  const query = db('videos').orderBy('id', 'desc').limit(filter.limit);
  if (filter.channel) query.where({ channel: filter.channel });
  if (filter.status) query.where({ status: filter.status });
  if (filter.since) query.where('created_at', '>=', toDbTime(filter.since));
  if (filter.search) {
    // LIKE's own wildcards in the search text are matched as themselves.
    const escaped = filter.search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`);
    query.whereRaw(`LOWER(title) LIKE ? ESCAPE '\\'`, [`%${escaped}%`]);
  }
  return ((await query) as RawVideoRow[]).map(toVideo);
}

/**
 * Makes the channel's videos published since `since` that its first crawl skipped for the
 * backfill limit downloadable again; the next crawl starts their downloads. Returns how many.
 */
export async function reopenBackfillSkipsSince(db: Db, channel: string, since: Date, now = new Date()): Promise<number> {
  return db('videos')
    .where({ channel, status: 'skipped', skip_kind: 'backfill_limit' })
    .andWhere('published_at', '>=', toDbTime(since))
    .update({ status: 'discovered', reason: null, skip_kind: null, updated_at: toDbTime(now) });
}
