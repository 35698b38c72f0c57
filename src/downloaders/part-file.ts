import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';

// A part file and its resume record. The record (`<part>.resume.json`) names the version
// of the file (ETag or Last-Modified) that the part's bytes came from, and its size. It is
// written before the first byte of a new version, so the record can never claim a version
// the bytes are not from; heartbeats lag behind the file and cannot promise that.

export interface ResumeRecord {
  url: string;
  /** ETag or Last-Modified: without one, a part cannot be continued, only finished. */
  validator?: string;
  /** Size of the whole file, when the server said. */
  totalBytes?: number;
  contentType?: string;
}

export function resumeRecordPath(partPath: string): string {
  return `${partPath}.resume.json`;
}

/**
 * A folder next to the part for downloaders that write several files of their own
 * (yt-dlp's format parts, fragments, merge output). It goes with the part.
 */
export function partWorkDir(partPath: string): string {
  return `${partPath}.d`;
}

export async function readResumeRecord(partPath: string): Promise<ResumeRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(resumeRecordPath(partPath), 'utf8')) as Partial<ResumeRecord>;
    if (typeof record.url !== 'string') return undefined;
    return {
      url: record.url,
      validator: typeof record.validator === 'string' ? record.validator : undefined,
      totalBytes: typeof record.totalBytes === 'number' ? record.totalBytes : undefined,
      contentType: typeof record.contentType === 'string' ? record.contentType : undefined,
    };
  } catch {
    return undefined;
  }
}

export async function writeResumeRecord(partPath: string, record: ResumeRecord): Promise<void> {
  await writeFile(resumeRecordPath(partPath), JSON.stringify(record), { flush: true });
}

/** Size of the part file, 0 when there is none. */
export async function partSize(partPath: string): Promise<number> {
  try {
    return (await stat(partPath)).size;
  } catch {
    return 0;
  }
}

/** Removes a part file, its resume record and its work folder. */
export async function removePart(partPath: string): Promise<void> {
  await rm(partPath, { force: true });
  await rm(resumeRecordPath(partPath), { force: true });
  await rm(partWorkDir(partPath), { recursive: true, force: true });
}

/**
 * Feeds the first `length` bytes of a file into a hash, in 1 MiB chunks read
 * asynchronously, so a large part does not block the event loop that carries heartbeats.
 */
export async function hashFilePrefix(
  path: string,
  length: number,
  hash: Hash = createHash('sha256'),
  onChunk?: (bytesHashed: number) => void,
): Promise<Hash> {
  if (length === 0) return hash;
  let hashed = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    hashed += (chunk as Buffer).length;
    onChunk?.(hashed);
  }
  return hash;
}
