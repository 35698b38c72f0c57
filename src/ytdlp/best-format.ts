import { DownloaderFailedError } from '../errors.ts';
import { formatFor, withCookies } from '../downloaders/ytdlp.ts';
import type { DownloadOptions, MediaFormat } from '../shared/download.ts';
import { errorFromYtDlpRun } from './errors.ts';
import { FORMAT_FIELDS_TEMPLATE, lastLine, parseFormatJson } from './format.ts';
import { invocationArgs, type YtDlpInvocation } from './invocation.ts';
import { runProcess } from './run.ts';

// Which format a download of the video would fetch now: yt-dlp resolves the channel's
// format selection against the site's current format list and prints the pick, without
// downloading (`--print` simulates). Same proxy, cookies and extra options as a download,
// so the answer is the format a download would get.

/** A site that says nothing for this long is given up on; the check is retried by its policy. */
const PROBE_STALL_MS = 60_000;

export async function probeBestFormat(
  invocation: YtDlpInvocation,
  url: string,
  options: DownloadOptions | undefined,
  signal?: AbortSignal,
): Promise<MediaFormat> {
  const result = await withCookies(options?.cookies, url, (cookies) =>
    runProcess({
      binary: invocation.binary,
      args: [
        ...invocationArgs(invocation),
        // The channel's own options may sort formats (-S); they apply to the pick as to a download.
        ...(options?.extraArgs ?? []),
        '--no-playlist',
        '--no-colors',
        '--socket-timeout',
        '30',
        '--format',
        formatFor(options),
        '--print',
        FORMAT_FIELDS_TEMPLATE,
        ...(cookies ? ['--cookies', cookies] : []),
        '--',
        url,
      ],
      signal,
      stallTimeoutMs: PROBE_STALL_MS,
      maxStdoutBytes: 1024 * 1024,
    }),
  );
  if (result.stalled) throw new DownloaderFailedError(`${url}: yt-dlp printed nothing for ${PROBE_STALL_MS / 1000}s while asked for its formats`);
  if (result.code !== 0) throw errorFromYtDlpRun('download', url, result);
  const format = parseFormatJson(lastLine(result.stdout));
  if (!format) throw new DownloaderFailedError(`${url}: yt-dlp named no format (it printed ${JSON.stringify(lastLine(result.stdout).slice(0, 200))})`);
  return format;
}
