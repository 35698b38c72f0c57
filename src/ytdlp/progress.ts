// yt-dlp's progress, made machine-readable with `--progress-template` and parsed here.
// Pure: no I/O.

/** Marks our progress lines apart from everything else yt-dlp prints. */
export const PROGRESS_MARKER = 'parker-progress';

/**
 * The template for `--progress-template download:…`: status, bytes done, total bytes,
 * estimated total. yt-dlp prints `NA` for a field it does not know.
 */
export const PROGRESS_TEMPLATE = `${PROGRESS_MARKER} %(progress.status)s %(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s`;

export interface YtDlpProgress {
  status: string;
  bytesDone: number;
  totalBytes?: number;
}

function count(field: string | undefined): number | undefined {
  if (!field || !/^\d+(\.\d+)?$/.test(field)) return undefined;
  return Math.round(Number(field));
}

/** One line of output → progress, or undefined when it is not a progress line. */
export function parseProgressLine(line: string): YtDlpProgress | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== PROGRESS_MARKER || fields.length < 5) return undefined;
  const bytesDone = count(fields[2]);
  if (bytesDone === undefined) return undefined;
  return { status: fields[1]!, bytesDone, totalBytes: count(fields[3]) ?? count(fields[4]) };
}
