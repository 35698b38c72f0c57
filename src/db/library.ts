import type { Db } from './connect.ts';
import { fromDbTime } from './connect.ts';

// The queries the library server (src/library/) reads: channels, and the downloaded
// videos whose file retention has not deleted. Read only: serving a feed writes nothing.

export interface LibraryChannel {
  name: string;
  url: string;
  title?: string;
}

export interface LibraryVideo {
  id: number;
  channel: string;
  externalId: string;
  title: string;
  url?: string;
  mediaType?: string;
  uploader?: string;
  description?: string;
  durationSeconds?: number;
  publishedAt?: Date;
  downloadedAt?: Date;
  /** As the row records it: absolute, or relative to DOWNLOAD_DIR. */
  filePath: string;
  bytes?: number;
  sha256?: string;
}

interface RawLibraryVideo {
  id: number;
  channel: string;
  external_id: string;
  title: string;
  url: string | null;
  media_type: string | null;
  uploader: string | null;
  description: string | null;
  duration_seconds: number | null;
  published_at: string | null;
  downloaded_at: string | null;
  created_at: string;
  file_path: string;
  bytes: number | string | null;
  sha256: string | null;
}

const VIDEO_COLUMNS = [
  'id', 'channel', 'external_id', 'title', 'url', 'media_type', 'uploader', 'description', 'duration_seconds',
  'published_at', 'downloaded_at', 'created_at', 'file_path', 'bytes', 'sha256',
];

function toLibraryVideo(row: RawLibraryVideo): LibraryVideo {
  return {
    id: Number(row.id),
    channel: row.channel,
    externalId: row.external_id,
    title: row.title,
    url: row.url ?? undefined,
    mediaType: row.media_type ?? undefined,
    uploader: row.uploader ?? undefined,
    description: row.description ?? undefined,
    durationSeconds: row.duration_seconds ?? undefined,
    publishedAt: fromDbTime(row.published_at),
    downloadedAt: fromDbTime(row.downloaded_at ?? row.created_at),
    filePath: row.file_path,
    bytes: row.bytes === null ? undefined : Number(row.bytes),
    sha256: row.sha256 ?? undefined,
  };
}

/** Downloaded videos with a file that retention has not deleted. */
const stored = (db: Db) => db('videos').where({ status: 'downloaded' }).whereNull('deleted_at').whereNotNull('file_path');

export async function listLibraryChannels(db: Db): Promise<LibraryChannel[]> {
  const rows: Array<{ name: string; url: string; title: string | null }> = await db('channels').orderBy('name').select('name', 'url', 'title');
  return rows.map((row) => ({ name: row.name, url: row.url, title: row.title ?? undefined }));
}

export async function getLibraryChannel(db: Db, name: string): Promise<LibraryChannel | undefined> {
  const row = (await db('channels').where({ name }).first('name', 'url', 'title')) as { name: string; url: string; title: string | null } | undefined;
  return row ? { name: row.name, url: row.url, title: row.title ?? undefined } : undefined;
}

/** The channel's stored videos, newest publication first (download time for those without one). */
export async function listLibraryVideos(db: Db, channel: string): Promise<LibraryVideo[]> {
  const rows = (await stored(db)
    .where({ channel })
    .orderByRaw('coalesce(published_at, downloaded_at, created_at) desc')
    .orderBy('id', 'desc')
    .select(VIDEO_COLUMNS)) as RawLibraryVideo[];
  return rows.map(toLibraryVideo);
}

export async function getLibraryVideo(db: Db, id: number): Promise<LibraryVideo | undefined> {
  const row = (await stored(db).where({ id }).first(VIDEO_COLUMNS)) as RawLibraryVideo | undefined;
  return row ? toLibraryVideo(row) : undefined;
}
