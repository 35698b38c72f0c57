import type { KeepRule } from '../shared/maintenance.ts';

// Which downloaded videos a channel's keep rule lets go. Pure: the activity passes the
// rows and the time, so the rule is tested without a database or a clock.

export const DAY_MS = 86_400_000;

export interface KeptVideo {
  id: number;
  /** When the video was published; absent when the source did not say. */
  publishedAt?: Date;
  /** When its file arrived. */
  downloadedAt: Date;
}

/**
 * The videos that fall out, oldest row first.
 *  - `{ last: N }`: all but the newest N, newest by publication date, since that is the
 *    order a person sees on the channel; a video without a date counts by its download
 *    time, and a tie goes to the later row.
 *  - `{ days: D }`: those downloaded more than D days before `now`. Counting from the
 *    download, not the publication, means a backfilled old video is kept D days like
 *    any other, instead of being deleted by the first maintenance after it arrived.
 */
export function selectExpired<T extends KeptVideo>(videos: readonly T[], keep: KeepRule, now: Date): T[] {
  let expired: T[];
  if ('last' in keep) {
    const newestFirst = [...videos].sort(
      (a, b) => (b.publishedAt ?? b.downloadedAt).getTime() - (a.publishedAt ?? a.downloadedAt).getTime() || b.id - a.id,
    );
    expired = newestFirst.slice(keep.last);
  } else {
    const cutoff = now.getTime() - keep.days * DAY_MS;
    expired = videos.filter((video) => video.downloadedAt.getTime() < cutoff);
  }
  return expired.sort((a, b) => a.id - b.id);
}
