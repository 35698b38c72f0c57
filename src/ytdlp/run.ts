import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

// Runs yt-dlp (or anything it spawns: ffmpeg, a JS runtime) as a process group of its
// own, so that cancellation and the stall watchdog kill the whole tree, not just the
// Python process while an ffmpeg merge carries on writing.

export interface RunOptions {
  /** The executable and its arguments; the caller puts the URL after `--`. */
  binary: string;
  args: string[];
  /** Aborting kills the process group; the run then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** No output on stdout or stderr for this long kills the group and ends with `stalled`. */
  stallTimeoutMs?: number;
  /** Each line of output as it arrives (progress, messages). */
  onLine?(line: string, stream: 'stdout' | 'stderr'): void;
  /** Keep at most this much of stdout (a channel's JSON listing can be large). */
  maxStdoutBytes?: number;
}

export interface RunResult {
  /** Exit status; null when a signal ended it. */
  code: number | null;
  stdout: string;
  /** The last 64 KiB of stderr: enough for yt-dlp's ERROR lines. */
  stderr: string;
  /** The watchdog killed it for silence. */
  stalled: boolean;
  /** Whether stdout was cut at maxStdoutBytes. */
  stdoutTruncated: boolean;
}

const STDERR_TAIL = 64 * 1024;

/** SIGKILL to a whole process group; a group that is already gone is what we wanted. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function runProcess(options: RunOptions): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(options.binary, options.args, {
      // Its own process group: kill(-pid) reaches every descendant.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    });
    let stdout = '';
    let stdoutBytes = 0;
    let stdoutTruncated = false;
    let stderr = '';
    let stalled = false;
    let settled = false;
    let watchdog: NodeJS.Timeout | undefined;

    const armWatchdog = () => {
      if (!options.stallTimeoutMs) return;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stalled = true;
        killGroup(child.pid);
      }, options.stallTimeoutMs);
    };
    const onAbort = () => killGroup(child.pid);
    signal?.addEventListener('abort', onAbort, { once: true });
    armWatchdog();

    child.stdout.on('data', (chunk: Buffer) => {
      armWatchdog();
      if (stdoutBytes + chunk.length > (options.maxStdoutBytes ?? Infinity)) {
        stdoutTruncated = true;
        return;
      }
      stdoutBytes += chunk.length;
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      armWatchdog();
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    if (options.onLine) {
      const onLine = options.onLine;
      createInterface({ input: child.stdout }).on('line', (line) => onLine(line, 'stdout'));
      createInterface({ input: child.stderr }).on('line', (line) => onLine(line, 'stderr'));
    }

    const finish = (error: unknown, result?: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      signal?.removeEventListener('abort', onAbort);
      // Descendants that outlived yt-dlp (an orphaned ffmpeg) go with it.
      killGroup(child.pid);
      if (error) reject(error);
      else resolve(result!);
    };
    child.once('error', (error) => finish(error));
    child.once('close', (code) => {
      if (signal?.aborted) finish(signal.reason ?? new Error('aborted'));
      else finish(undefined, { code, stdout, stderr, stalled, stdoutTruncated });
    });
  });
}
