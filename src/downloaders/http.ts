import { createHash } from 'node:crypto';
import { mkdir, truncate } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Downloader, DownloadJob } from './downloader.ts';
import type { DownloadedMedia } from '../shared/download.ts';
import { discardBody, expectSuccess, type HttpClient, type HttpResponse } from '../http/client.ts';
import { asStorageError, IncompleteBodyError, NetworkError, NotMediaError, StorageError } from '../errors.ts';
import { isMediaContentType } from '../naming/media-types.ts';
import {
  hashFilePrefix,
  partSize,
  readResumeRecord,
  removePart,
  writeResumeRecord,
  type ResumeRecord,
} from './part-file.ts';
import { PartWriter } from './part-writer.ts';

// Direct media links over HTTP, resumable. On a retry the part file is continued with
// `Range` + `If-Range`; if the server ignores the range, or the file changed (a new
// validator), the download starts again from zero: two versions are never spliced.

/** A validator that If-Range may carry: a strong ETag, else Last-Modified (RFC 9110 §13.1.5). */
function validatorOf(response: HttpResponse): string | undefined {
  const etag = response.headers.etag;
  if (etag && !etag.startsWith('W/')) return etag;
  return response.headers['last-modified'];
}

/** `bytes 100-999/1000` → { start: 100, total: 1000 }. */
function parseContentRange(header: string | undefined): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

function contentLength(response: HttpResponse): number | undefined {
  const header = response.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

interface Plan {
  response: HttpResponse;
  /** Offset the response body starts at (0, or the part's size when resuming). */
  start: number;
  /** Size of the whole file, when the server says. */
  total?: number;
  validator?: string;
}

/**
 * Bytes the counting step may hold before the body is paused. At the streams' default
 * (16 KiB) the body was paused and resumed for almost every 64 KiB read. Since the hash
 * and the writes moved to the part writer's thread, 256 KiB moves as fast as 1 MiB did
 * (BENCHMARKS.md, throughput) and holds less that a killed worker would fetch again.
 */
const MEDIA_BUFFER_BYTES = 256 << 10;

async function request(http: HttpClient, job: DownloadJob, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return http.get(job.url, { signal: job.signal, headers: { accept: 'audio/*, video/*, */*;q=0.5', ...headers } });
}

/** Asks for the rest of the part when it can be resumed, else for the whole file. */
async function plan(http: HttpClient, job: DownloadJob, have: number, record: ResumeRecord | undefined): Promise<Plan> {
  if (record?.validator && record.url === job.url) {
    const response = await request(http, job, { range: `bytes=${have}-`, 'if-range': record.validator });
    const range = parseContentRange(response.headers['content-range']);
    if (response.status === 206 && range?.start === have && validatorOf(response) === record.validator) {
      return { response, start: have, total: range.total, validator: record.validator };
    }
    if (response.status === 200) {
      // The server ignored the range or the file changed: this body is the whole new file.
      return { response, start: 0, total: contentLength(response), validator: validatorOf(response) };
    }
    // 416 (the part is as long as the file or longer), a 206 for another range or another
    // version: nothing in the part can be trusted. Start again without a range.
    if (response.status >= 400 && response.status !== 416) await expectSuccess(job.url, response);
    discardBody(response);
  }
  const response = await request(http, job);
  return { response, start: 0, total: contentLength(response), validator: validatorOf(response) };
}

/** Creates the channel's folder; a folder that cannot be made is a storage failure, not a retry. */
async function ensureFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    // A recursive mkdir says ENOENT on a read-only file system; a plain one says EROFS.
    const reason = await mkdir(dir).then(
      () => error,
      (plain: unknown) => plain,
    );
    throw StorageError.writing(dir, reason as NodeJS.ErrnoException);
  }
}

export interface HttpDownloaderOptions {
  /** The worker's HTTP client, with its address policy. */
  http: HttpClient;
}

/** Resolves once the part writer has closed its file (at once if it has). */
function closedPart(file: PartWriter): Promise<void> {
  return file.closed ? Promise.resolve() : new Promise((resolve) => file.once('close', () => resolve()));
}

export function createHttpDownloader({ http }: HttpDownloaderOptions): Downloader {
  return {
    name: 'http',
    async download(job: DownloadJob): Promise<DownloadedMedia> {
      await ensureFolder(path.dirname(job.partPath));
      const have = await partSize(job.partPath);
      const record = have > 0 ? await readResumeRecord(job.partPath) : undefined;
      if (record?.url === job.url && record.totalBytes !== undefined && record.totalBytes === have) {
        // An earlier attempt received the whole file and died before reporting it:
        // the part is one complete version of the file, so there is nothing to fetch.
        const hash = await hashFilePrefix(job.partPath, have, createHash('sha256'), (done) =>
          job.onProgress({ bytesDone: done, totalBytes: have, validator: record.validator }),
        );
        return { bytes: have, sha256: hash.digest('hex'), contentType: record.contentType };
      }

      const { response, start, total, validator } = await plan(http, job, have, record);
      await expectSuccess(job.url, response);
      const contentType = response.headers['content-type'];
      if (!isMediaContentType(contentType)) {
        discardBody(response);
        throw new NotMediaError(job.url, contentType ?? 'no content type');
      }

      let bytesDone = start;
      if (start > 0) {
        // Resuming: drop anything past `start` (written after the last record) before appending.
        await truncate(job.partPath, start);
      } else {
        try {
          await removePart(job.partPath);
          // Record the version before its first byte lands.
          await writeResumeRecord(job.partPath, { url: job.url, validator, totalBytes: total, contentType });
        } catch (error) {
          discardBody(response);
          throw asStorageError(error, job.partPath);
        }
      }
      job.onProgress({ bytesDone, totalBytes: total, validator });

      let file: PartWriter;
      try {
        // The hash covers the bytes already in the part, then the body's.
        file = await PartWriter.open({
          path: job.partPath,
          prefixBytes: start,
          onPrefixHashed: () => job.onProgress({ bytesDone: start, totalBytes: total, validator }),
        });
      } catch (error) {
        discardBody(response);
        throw asStorageError(error, job.partPath);
      }
      const counter = new Transform({
        highWaterMark: MEDIA_BUFFER_BYTES,
        transform(chunk: Buffer, _encoding, callback) {
          bytesDone += chunk.length;
          if (total !== undefined && bytesDone > total) {
            callback(new IncompleteBodyError(job.url, bytesDone, total));
            return;
          }
          job.onProgress({ bytesDone, totalBytes: total, validator });
          callback(null, chunk);
        },
      });
      try {
        await pipeline(response.body, counter, file, { signal: job.signal });
      } catch (error) {
        // pipeline rejects as soon as one stream fails; the part writer's thread may still
        // be writing what was delivered. Wait for it to close the part, so that whatever
        // comes next (a resume reading its length, a discard) sees all of it.
        await closedPart(file);
        if (job.signal.aborted) throw error;
        if (error instanceof IncompleteBodyError) {
          // More bytes than announced: the part is not the server's file. Start over next time.
          await removePart(job.partPath);
          throw error;
        }
        const storage = asStorageError(error, job.partPath);
        if (storage !== error) throw storage;
        throw new NetworkError(job.url, { cause: error });
      }
      if (total !== undefined && bytesDone !== total) throw new IncompleteBodyError(job.url, bytesDone, total);
      return { bytes: bytesDone, sha256: file.sha256!, contentType };
    },
  };
}
