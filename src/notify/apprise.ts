import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NotifyFailedError } from '../errors.ts';
import { bodyOf, titleOf, type VideoNotification } from '../shared/notify.ts';

// An Apprise notification: the apprise CLI (from PyPI, in the same virtualenv as yt-dlp:
// scripts/ytdlp-requirements.txt) sends one message to each URL it is given, whatever
// the service (json://, mailto://, ntfy://, tgram://…).

const run = promisify(execFile);

/** An apprise that has not finished within this long has failed this attempt. */
export const APPRISE_TIMEOUT_MS = 60_000;

/** Sends the notification to the URLs; apprise's exit status says whether every one took it. */
export async function sendApprise(binary: string, urls: string[], notification: VideoNotification, signal?: AbortSignal): Promise<void> {
  try {
    // URLs after `--`: one that starts with a dash is still a URL.
    await run(binary, ['--title', titleOf(notification), '--body', bodyOf(notification), '--', ...urls], {
      timeout: APPRISE_TIMEOUT_MS,
      signal,
      maxBuffer: 1024 * 1024,
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    const said = (failure.stderr || failure.stdout || failure.message).trim().split('\n').slice(-3).join(' ');
    const hosts = urls.map((url) => url.replace(/\/\/[^@/]*@/, '//***@')).join(', ');
    throw new NotifyFailedError(
      failure.code === 'ENOENT' ? `cannot run apprise at ${binary}: run scripts/ensure-ytdlp.sh, or set APPRISE_PATH` : `apprise could not notify ${hosts}: ${said}`,
      { cause: error },
    );
  }
}
