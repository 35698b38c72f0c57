import { createHash } from 'node:crypto';
import type { Db } from './connect.ts';
import { fromDbTime, toDbTime } from './connect.ts';
import type { PendingVideo } from '../shared/crawl.ts';
import type { ListedVideo } from '../shared/listing.ts';
import type { MediaFormat } from '../shared/download.ts';
import { videoWorkflowId } from '../naming/workflow-ids.ts';
import { planRecording, type RecordOutcome, type SkipKind } from '../rules/recording.ts';
import { givenUpReason, planRetry, type FailureKind, type RetryPlan } from '../rules/retry-schedule.ts';
import type { VIDEO_STATUSES } from './migrations/009-missing-status.ts';

// Small typed queries over `videos`. Every write is an upsert or a guarded update, so an
// activity that runs twice leaves the same rows as one that ran once.

export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** Statuses that still need a download workflow to reach an end. */
export const UNFINISHED: VideoStatus[] = ['discovered', 'downloading'];

export interface VideoRow {
  id: number;
  channel: string;
  externalId: string;
  title: string;
  url?: string;
  mediaUrl?: string;
  mediaType?: string;
  /** `http` or `ytdlp`; undefined in rows from before there was a choice (http). */
  downloader?: string;
  uploader?: string;
  description?: string;
  /** Length in whole seconds, when the listing said. */
  durationSeconds?: number;
  /** The stem its files were given (relative to DOWNLOAD_DIR), once a download resolved it. */
  relativeStem?: string;
  publishedAt?: Date;
  status: VideoStatus;
  reason?: string;
  /** Set on `skipped` rows only. */
  skipKind?: SkipKind;
  filePath?: string;
  bytes?: number;
  sha256?: string;
  createdAt: Date;
  /** When the file arrived; absent in rows downloaded before retention existed. */
  downloadedAt?: Date;
  /** When retention deleted the file; the status stays `downloaded`. */
  deletedAt?: Date;
  /** Set once a download failed: whether a later crawl tries it again. */
  failureKind?: FailureKind;
  /** Download runs that failed; a successful one leaves the count as it was. */
  failedAttempts: number;
  /** When a later crawl may try a transient failure again; absent when it was given up. */
  nextRetryAt?: Date;
  /** When a person set the video aside (`parker videos ignore`): no crawl starts it. */
  ignoredAt?: Date;
  /** The yt-dlp format the file holds (`18`, `137+140`) and its height, when yt-dlp said. */
  formatId?: string;
  formatHeight?: number;
  /** When its channel's upgrade check last asked the site for a better format. */
  upgradeCheckedAt?: Date;
  /** When a better format last replaced the file, and the sha256 of the file it replaced. */
  upgradedAt?: Date;
  previousSha256?: string;
  updatedAt: Date;
}

export interface RawVideoRow {
  id: number;
  channel: string;
  external_id: string;
  title: string;
  url: string | null;
  media_url: string | null;
  media_type: string | null;
  downloader: string | null;
  uploader: string | null;
  description: string | null;
  duration_seconds: number | null;
  relative_stem: string | null;
  published_at: string | null;
  status: VideoStatus;
  reason: string | null;
  skip_kind: SkipKind | null;
  file_path: string | null;
  bytes: number | string | null;
  sha256: string | null;
  created_at: string;
  downloaded_at: string | null;
  deleted_at: string | null;
  failure_kind: FailureKind | null;
  failed_attempts: number | string;
  next_retry_at: string | null;
  ignored_at: string | null;
  format_id: string | null;
  format_height: number | null;
  upgrade_checked_at: string | null;
  upgraded_at: string | null;
  previous_sha256: string | null;
  updated_at: string;
}

export function toVideo(row: RawVideoRow): VideoRow {
  return {
    id: Number(row.id),
    channel: row.channel,
    externalId: row.external_id,
    title: row.title,
    url: row.url ?? undefined,
    mediaUrl: row.media_url ?? undefined,
    mediaType: row.media_type ?? undefined,
    downloader: row.downloader ?? undefined,
    uploader: row.uploader ?? undefined,
    description: row.description ?? undefined,
    durationSeconds: row.duration_seconds ?? undefined,
    relativeStem: row.relative_stem ?? undefined,
    publishedAt: fromDbTime(row.published_at),
    status: row.status,
    reason: row.reason ?? undefined,
    skipKind: row.skip_kind ?? undefined,
    filePath: row.file_path ?? undefined,
    bytes: row.bytes === null ? undefined : Number(row.bytes),
    sha256: row.sha256 ?? undefined,
    createdAt: fromDbTime(row.created_at)!,
    downloadedAt: fromDbTime(row.downloaded_at),
    deletedAt: fromDbTime(row.deleted_at),
    failureKind: row.failure_kind ?? undefined,
    failedAttempts: Number(row.failed_attempts),
    nextRetryAt: fromDbTime(row.next_retry_at),
    ignoredAt: fromDbTime(row.ignored_at),
    formatId: row.format_id ?? undefined,
    formatHeight: row.format_height ?? undefined,
    upgradeCheckedAt: fromDbTime(row.upgrade_checked_at),
    upgradedAt: fromDbTime(row.upgraded_at),
    previousSha256: row.previous_sha256 ?? undefined,
    updatedAt: fromDbTime(row.updated_at)!,
  };
}

export interface VideoKey {
  channel: string;
  externalId: string;
}

/** Descriptions are kept for the NFO's plot; longer ones are cut. */
export const MAX_DESCRIPTION_CHARS = 5000;

// Rows go in batches that stay well under MySQL's placeholder and packet limits.
const INSERT_BATCH = 200;

/** A listed length as the column holds it: whole seconds that fit an INT; else unknown. */
function storedDuration(seconds: number | undefined): number | null {
  return seconds !== undefined && Number.isFinite(seconds) && seconds >= 0 && seconds < 2 ** 31 ? Math.round(seconds) : null;
}

/** Whether the channel has any video rows: none means its next crawl is its first. */
export async function hasVideos(db: Db, channel: string): Promise<boolean> {
  return (await db('videos').where({ channel }).first('id')) !== undefined;
}

/**
 * Upserts entries of a channel as src/rules/recording.ts decides, inside the caller's
 * transaction. Returns the counts and the external ids the entries made downloadable: new
 * ones recorded as `discovered`, and known ones a first crawl had skipped for its backfill
 * limit when `reopenBackfillSkips` (a deeper backfill now takes them).
 */
export async function upsertEntries(
  trx: Db,
  channel: string,
  listed: ListedVideo[],
  options: {
    filtered: ReadonlyMap<string, string>;
    /** Entries that pass the rules beyond this many are recorded as skipped (a first crawl's limit). */
    backfill?: number;
    /** Known entries get the listing's title, links and dates; otherwise they are left as they are. */
    refreshKnown: boolean;
    reopenBackfillSkips?: boolean;
    now: Date;
  },
): Promise<{ outcome: RecordOutcome; downloadable: string[] }> {
  const time = toDbTime(options.now);
  const ids = [...new Set(listed.map((entry) => entry.externalId))];
  const known = new Map<string, SkipKind | undefined>();
  for (let i = 0; i < ids.length; i += INSERT_BATCH) {
    const rows: Array<{ external_id: string; skip_kind: SkipKind | null }> = await trx('videos')
      .where({ channel })
      .whereIn('external_id', ids.slice(i, i + INSERT_BATCH))
      .select('external_id', 'skip_kind');
    for (const row of rows) known.set(row.external_id, row.skip_kind ?? undefined);
  }
  const plan = planRecording({ listed, known, filtered: options.filtered, backfill: options.backfill, reopenBackfillSkips: options.reopenBackfillSkips });
  const rows = plan.entries.map(({ entry, status, reason, skipKind }) => ({
    channel,
    external_id: entry.externalId,
    title: entry.title,
    url: entry.url ?? null,
    media_url: entry.mediaUrl ?? null,
    media_type: entry.mediaType ?? null,
    downloader: entry.downloader ?? null,
    // Bounded: a hostile feed must not fill the database through one field.
    uploader: entry.uploader?.slice(0, 255) ?? null,
    description: entry.description?.slice(0, MAX_DESCRIPTION_CHARS) ?? null,
    duration_seconds: storedDuration(entry.durationSeconds),
    published_at: entry.publishedAt ? toDbTime(new Date(entry.publishedAt)) : null,
    status,
    reason: reason ?? null,
    skip_kind: skipKind ?? null,
    created_at: time,
    updated_at: time,
  }));
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const insert = trx('videos').insert(rows.slice(i, i + INSERT_BATCH)).onConflict(['channel', 'external_id']);
    await (options.refreshKnown
      ? insert.merge(['title', 'url', 'media_url', 'media_type', 'downloader', 'uploader', 'description', 'duration_seconds', 'published_at'])
      : insert.ignore());
  }
  for (let i = 0; i < plan.reopen.length; i += INSERT_BATCH) {
    await trx('videos')
      .where({ channel, status: 'skipped', skip_kind: 'backfill_limit' })
      .whereIn('external_id', plan.reopen.slice(i, i + INSERT_BATCH))
      .update({ status: 'discovered', reason: null, skip_kind: null, updated_at: time });
  }
  return { outcome: plan.outcome, downloadable: plan.downloadable };
}

/**
 * The rows a crawl starts a download for: those without an end yet, and transient
 * failures whose next retry is due. Never a video a person set aside.
 */
function startable(db: Db, channel: string, now: Date) {
  return db('videos')
    .where({ channel })
    .whereNull('ignored_at')
    .andWhere((rows) => {
      rows.whereIn('status', UNFINISHED).orWhere((due) => {
        due.where({ status: 'failed', failure_kind: 'transient' }).andWhere('next_retry_at', '<=', toDbTime(now));
      });
    });
}

/**
 * Videos of a channel that have not reached an end yet, or whose transient failure is
 * due for another try, oldest row first, after a row id. This is what makes the crawl
 * safe to interrupt anywhere: a video recorded by a crawl that died before starting its
 * download is still here for the next crawl; and an outage overnight loses nothing.
 */
export async function listUnfinished(db: Db, channel: string, afterId = 0, limit = 1000, now = new Date()): Promise<PendingVideo[]> {
  const rows: PendingRow[] = await startable(db, channel, now)
    .andWhere('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .select('id', 'external_id', 'title');
  return rows.map((row) => toPending(channel, row));
}

/** The unfinished (or due) videos among these external ids, oldest row first. */
export async function listUnfinishedByIds(db: Db, channel: string, externalIds: string[], now = new Date()): Promise<PendingVideo[]> {
  const pending: PendingVideo[] = [];
  for (let i = 0; i < externalIds.length; i += INSERT_BATCH) {
    const rows: PendingRow[] = await startable(db, channel, now)
      .whereIn('external_id', externalIds.slice(i, i + INSERT_BATCH))
      .orderBy('id')
      .select('id', 'external_id', 'title');
    pending.push(...rows.map((row) => toPending(channel, row)));
  }
  return pending;
}

interface PendingRow {
  id: number;
  external_id: string;
  title: string;
}

function toPending(channel: string, row: PendingRow): PendingVideo {
  return { id: Number(row.id), externalId: row.external_id, workflowId: videoWorkflowId(channel, row.external_id), title: row.title };
}

export async function getVideo(db: Db, key: VideoKey): Promise<VideoRow | undefined> {
  const row = await db('videos').where({ channel: key.channel, external_id: key.externalId }).first();
  return row ? toVideo(row as RawVideoRow) : undefined;
}

export async function markDownloading(db: Db, key: VideoKey, now = new Date()): Promise<void> {
  await db('videos')
    .where({ channel: key.channel, external_id: key.externalId })
    .whereNot('status', 'downloaded')
    // The failure kind and count stay: they say what came before this run.
    .update({ status: 'downloading', reason: null, skip_kind: null, next_retry_at: null, updated_at: toDbTime(now) });
}

export async function markDownloaded(
  db: Db,
  key: VideoKey,
  file: { filePath: string; bytes: number; sha256: string; mediaType?: string; format?: MediaFormat },
  now = new Date(),
): Promise<void> {
  await db('videos')
    .where({ channel: key.channel, external_id: key.externalId })
    .update({
      // What the file turned out to be (yt-dlp picks the container; audio only converts).
      ...(file.mediaType ? { media_type: file.mediaType } : {}),
      status: 'downloaded',
      reason: null,
      skip_kind: null,
      failure_kind: null,
      next_retry_at: null,
      file_path: file.filePath,
      bytes: file.bytes,
      sha256: file.sha256,
      // What a channel's upgrade check compares a better format with (yt-dlp downloads only).
      format_id: file.format?.id ?? null,
      format_height: file.format?.height ?? null,
      downloaded_at: toDbTime(now),
      // A file downloaded again (an operator reset the row) is there again.
      deleted_at: null,
      updated_at: toDbTime(now),
    });
}

/** A download's failure as the workflow reports it. */
export interface VideoFailure {
  reason: string;
  kind: FailureKind;
}

/**
 * Marks a video failed with the reason, unless it was downloaded meanwhile, counts the
 * failed run and plans the next try (src/rules/retry-schedule.ts). Once per run: the row
 * of a run counted already (the activity ran twice) is left as it is, and its plan returned.
 */
export async function markFailed(
  db: Db,
  key: VideoKey,
  failure: VideoFailure,
  retryDelaysMs: readonly number[],
  now = new Date(),
): Promise<RetryPlan | undefined> {
  return db.transaction(async (trx) => {
    const row = (await trx('videos').where({ channel: key.channel, external_id: key.externalId }).first()) as RawVideoRow | undefined;
    if (!row || row.status === 'downloaded') return undefined;
    const counted = Number(row.failed_attempts);
    if (row.status === 'failed' && row.failure_kind) {
      const retryAt = fromDbTime(row.next_retry_at);
      if (row.failure_kind === 'permanent') return { kind: 'permanent', attempts: counted };
      return retryAt ? { kind: 'transient', retryAt, attempts: counted } : { kind: 'transient', givenUp: true, attempts: counted };
    }
    const plan = planRetry(failure.kind, counted + 1, now, retryDelaysMs);
    const reason = 'givenUp' in plan ? givenUpReason(failure.reason, plan.attempts) : failure.reason;
    await trx('videos')
      .where({ id: row.id })
      .update({
        status: 'failed',
        reason: reason.slice(0, 2000),
        skip_kind: null,
        failure_kind: plan.kind,
        failed_attempts: plan.attempts,
        next_retry_at: 'retryAt' in plan ? toDbTime(plan.retryAt) : null,
        updated_at: toDbTime(now),
      });
    return plan;
  });
}

export async function listVideos(db: Db, channel: string): Promise<VideoRow[]> {
  const rows = await db('videos').where({ channel }).orderBy('id');
  return (rows as RawVideoRow[]).map(toVideo);
}

/** The unique key of a stem: names that differ only in case are one file on some file systems. */
export function stemKey(stem: string): string {
  return createHash('sha256').update(stem.normalize('NFC').toLowerCase()).digest('hex');
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Claims a stem for a video: true when the video now holds it, false when another video
 * holds it already. The unique key decides, so two downloads resolving at once cannot
 * both win it.
 */
export async function claimStem(db: Db, key: VideoKey, stem: string): Promise<boolean> {
  try {
    await db('videos')
      .where({ channel: key.channel, external_id: key.externalId })
      .update({ relative_stem: stem, stem_key: stemKey(stem) });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** The failed videos of one channel, or of all, that no one set aside; oldest row first. */
export async function listFailed(db: Db, channel?: string): Promise<VideoRow[]> {
  const rows = await db('videos')
    .where({ status: 'failed' })
    .whereNull('ignored_at')
    .modify((query) => {
      if (channel) query.where({ channel });
    })
    .orderBy('id');
  return (rows as RawVideoRow[]).map(toVideo);
}

/**
 * A person asked for the video again: its retry schedule starts over, and it is no
 * longer set aside. The status stays as it is until the download's own run moves it.
 */
export async function resetRetries(db: Db, key: VideoKey, now = new Date()): Promise<void> {
  await db('videos')
    .where({ channel: key.channel, external_id: key.externalId })
    .update({ failed_attempts: 0, next_retry_at: null, ignored_at: null, updated_at: toDbTime(now) });
}

/** Sets the video aside: no crawl or backfill starts a download for it any more. */
export async function markIgnored(db: Db, key: VideoKey, now = new Date()): Promise<boolean> {
  const changed = await db('videos')
    .where({ channel: key.channel, external_id: key.externalId })
    .update({ ignored_at: toDbTime(now), updated_at: toDbTime(now) });
  return changed > 0;
}
