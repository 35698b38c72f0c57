import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Downloader, DownloadJob } from './downloader.ts';
import type { DownloadedMedia, DownloadOptions, MediaFormat } from '../shared/download.ts';
import { YTDLP_OUTPUT_NAME } from '../sidecars/files.ts';
import {
  asStorageError,
  DownloaderFailedError,
  DownloaderStalledError,
  NoMediaError,
} from '../errors.ts';
import { MEDIA_EXTENSIONS } from '../naming/media-types.ts';
import { errorFromYtDlpRun } from '../ytdlp/errors.ts';
import { parseProgressLine, PROGRESS_TEMPLATE } from '../ytdlp/progress.ts';
import { invocationArgs, type YtDlpInvocation } from '../ytdlp/invocation.ts';
import { runProcess } from '../ytdlp/run.ts';
import { FORMAT_FIELDS_TEMPLATE, lastLine, parseFormatJson } from '../ytdlp/format.ts';
import { hashFilePrefix, partWorkDir } from './part-file.ts';

// YouTube and every other site yt-dlp supports. yt-dlp runs as a child process in a
// work folder next to Parker's part path; it resumes its own `.part` files there on a
// retry (`--continue`), and Parker renames the finished file into place as for HTTP.

/**
 * Best video up to 1080p with the best audio, merged (ffmpeg); else the best single
 * file up to 1080p; else whatever there is. `<=?` keeps formats whose height is unknown
 * (a direct file link says nothing about its height).
 */
export const DEFAULT_FORMAT = 'bv*[height<=?1080]+ba/b[height<=?1080]/b';

export interface YtDlpDownloaderOptions extends YtDlpInvocation {
  /**
   * A yt-dlp that prints nothing for this long is killed and the attempt fails as
   * retryable. The transfer's heartbeat timeout: past it, Temporal gives up anyway.
   */
  stallTimeoutMs: number;
}

/** The name yt-dlp gives the finished file in the work folder (`media.mp4`, `media.webm`). */
const OUTPUT_NAME = YTDLP_OUTPUT_NAME;
/**
 * Where yt-dlp writes the id and height of the format it fetched, in the work folder
 * (relative names are under `--paths home:`); not named `media.*`, so no sidecar is taken for it.
 */
const FORMAT_FILE = 'parker-format.json';

/**
 * yt-dlp's flags for the sidecars a channel asked for. They land in the work folder as
 * `media.info.json`, `media.webp`, `media.en.vtt`; finalize moves them next to the
 * video. The NFO takes its plot from info.json, so asking for an NFO fetches that too.
 */
export function sidecarArgs(options: DownloadOptions | undefined): string[] {
  const write = options?.write ?? [];
  const args: string[] = [];
  if (write.includes('info_json') || write.includes('nfo')) args.push('--write-info-json');
  if (write.includes('thumbnail')) args.push('--write-thumbnail');
  if (write.includes('subtitles') && options?.subtitles?.length) {
    // Subtitles only, not automatic captions; vtt where the site has it.
    args.push('--write-subs', '--sub-langs', options.subtitles.join(','), '--sub-format', 'vtt/srt/best');
  }
  return args;
}

/**
 * yt-dlp's flags for what the file holds: SponsorBlock chapters or cuts, embedded
 * metadata, thumbnail, chapters and subtitles, audio only; then the channel's allow-listed
 * extra options (src/ytdlp/extra-args.ts), which Parker's own flags after them override.
 */
export function contentArgs(options: DownloadOptions | undefined): string[] {
  const args: string[] = [...(options?.extraArgs ?? [])];
  const { mark, remove } = options?.sponsorblock ?? {};
  if (mark) args.push('--sponsorblock-mark', mark.join(','));
  if (remove) args.push('--sponsorblock-remove', remove.join(','));
  const embed = options?.embed ?? [];
  if (embed.includes('metadata')) args.push('--embed-metadata');
  if (embed.includes('thumbnail')) args.push('--embed-thumbnail');
  if (embed.includes('chapters')) args.push('--embed-chapters');
  if (embed.includes('subtitles') && options?.subtitles?.length) {
    // Written as sidecars too when `write` asks; else yt-dlp fetches them to embed only.
    if (!options.write?.includes('subtitles')) args.push('--sub-langs', options.subtitles.join(','));
    args.push('--embed-subs');
  }
  if (options?.audioFormat) args.push('--extract-audio', '--audio-format', options.audioFormat);
  return args;
}

/** The format to fetch: the channel's, else the best audio for audio only, else DEFAULT_FORMAT. */
export function formatFor(options: DownloadOptions | undefined): string {
  return options?.format ?? (options?.audioFormat ? 'ba/b' : DEFAULT_FORMAT);
}

function ytDlpArgs(invocation: YtDlpInvocation, job: DownloadJob, workDir: string, cookies: string | undefined): string[] {
  return [
    ...invocationArgs(invocation),
    ...contentArgs(job.options),
    '--no-playlist',
    '--newline',
    '--no-colors',
    '--progress',
    '--progress-template',
    `download:${PROGRESS_TEMPLATE}`,
    '--continue',
    // Fixed reads: yt-dlp grows its read size up to megabytes, and a read that waits for
    // a full block holds back both the part file and the progress a heartbeat reports.
    '--buffer-size',
    '128K',
    '--no-resize-buffer',
    '--no-mtime',
    '--socket-timeout',
    '30',
    // Temporal retries the attempt with its own policy; yt-dlp's own retries only hide
    // failures from it.
    '--retries',
    '2',
    '--fragment-retries',
    '3',
    '--format',
    formatFor(job.options),
    '--paths',
    `home:${workDir}`,
    '--paths',
    `temp:${workDir}`,
    '--output',
    `${OUTPUT_NAME}.%(ext)s`,
    ...sidecarArgs(job.options),
    // After the move, so only a finished file's format is written down.
    '--print-to-file',
    `after_move:${FORMAT_FIELDS_TEMPLATE}`,
    FORMAT_FILE,
    ...(cookies ? ['--cookies', cookies] : []),
    // Whatever the URL looks like, it is never read as an option.
    '--',
    job.url,
  ];
}

/** The finished media file yt-dlp left in the work folder, if any (not a .part or fragment). */
async function finishedFile(workDir: string): Promise<{ file: string; ext: string; size: number } | undefined> {
  let best: { file: string; ext: string; size: number } | undefined;
  for (const name of await readdir(workDir).catch(() => [] as string[])) {
    const match = new RegExp(`^${OUTPUT_NAME}\\.([a-z0-9]{1,5})$`).exec(name);
    if (!match || !MEDIA_EXTENSIONS.has(match[1]!)) continue;
    const file = path.join(workDir, name);
    const { size } = await stat(file);
    if (size > 0 && (!best || size > best.size)) best = { file, ext: match[1]!, size };
  }
  return best;
}

async function formatFetched(workDir: string): Promise<MediaFormat | undefined> {
  try {
    // Appended to by each run that finished a file (a resumed one too): the last line is this run's.
    return parseFormatJson(lastLine(await readFile(path.join(workDir, FORMAT_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

/** Bytes already in the work folder's part files, for the first heartbeat of a resume. */
async function bytesOnDisk(workDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(workDir).catch(() => [] as string[])) {
    total += (await stat(path.join(workDir, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * yt-dlp writes the cookie jar back when it exits. It gets a private copy (mode 600, in
 * the system's temp folder, removed afterwards), so the operator's file is never changed
 * and no cookie ever lands in DOWNLOAD_DIR.
 */
export async function withCookies<T>(source: string | undefined, url: string, body: (file?: string) => Promise<T>): Promise<T> {
  if (!source) return body();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parker-cookies-'));
  try {
    const copy = path.join(dir, 'cookies.txt');
    try {
      await copyFile(source, copy);
      await chmod(copy, 0o600);
    } catch (error) {
      // The path is config, not a secret; the contents are never read into a message.
      throw new DownloaderFailedError(`${url}: cannot read the channel's cookies file: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return await body(copy);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function createYtDlpDownloader(options: YtDlpDownloaderOptions): Downloader {
  return {
    name: 'ytdlp',
    async download(job: DownloadJob): Promise<DownloadedMedia> {
      const workDir = partWorkDir(job.partPath);
      try {
        await mkdir(workDir, { recursive: true });
      } catch (error) {
        throw asStorageError(error, workDir);
      }
      job.onProgress({ bytesDone: await bytesOnDisk(workDir) });

      const result = await withCookies(job.options?.cookies, job.url, (cookies) =>
        runProcess({
          binary: options.binary,
          args: ytDlpArgs(options, job, workDir, cookies),
          signal: job.signal,
          stallTimeoutMs: options.stallTimeoutMs,
          onLine: (line) => {
            const progress = parseProgressLine(line);
            if (progress) job.onProgress({ bytesDone: progress.bytesDone, totalBytes: progress.totalBytes });
          },
        }),
      );
      if (result.stalled) throw new DownloaderStalledError(job.url, options.stallTimeoutMs);
      if (result.code !== 0) throw errorFromYtDlpRun('download', job.url, result);

      const finished = await finishedFile(workDir);
      if (!finished) {
        throw new NoMediaError(`${job.url}: yt-dlp exited 0 but left no media file (${result.stderr.trim().split('\n').pop() ?? 'no message'})`);
      }
      const hash = await hashFilePrefix(finished.file, finished.size, undefined, () =>
        job.onProgress({ bytesDone: finished.size, totalBytes: finished.size }),
      );
      const format = await formatFetched(workDir);
      // The container yt-dlp chose (or converted to, for audio only) names the extension.
      return { bytes: finished.size, sha256: hash.digest('hex'), ext: finished.ext, filePath: finished.file, ...(format ? { format } : {}) };
    },
  };
}
