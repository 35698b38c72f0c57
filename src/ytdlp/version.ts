import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// The yt-dlp Parker runs must be recent: older releases have known vulnerabilities,
// among them CVE-2024-38519 (fixed in 2024.07.01), which let a hostile site write files
// with arbitrary extensions. The worker checks at start and refuses an older one unless
// the operator sets PARKER_ALLOW_OUTDATED_YTDLP=1.

export const MINIMUM_YTDLP_VERSION = '2024.07.01';

/**
 * The first release that takes `--js-runtimes` and solves YouTube's JavaScript challenges
 * with yt-dlp-ejs: an older one starts, with a warning that YouTube will be degraded.
 */
export const YOUTUBE_YTDLP_VERSION = '2025.11.12';

/** Thrown at worker start when yt-dlp is missing, unusable or too old. */
export class YtDlpSetupError extends Error {
  override name = 'YtDlpSetupError';
}

/** `2026.10.26` or a nightly `2024.07.02.232506` → [2026, 10, 26]; undefined for anything else. */
export function parseYtDlpVersion(text: string): [number, number, number] | undefined {
  const match = /^(\d{4})\.(\d{1,2})\.(\d{1,2})(?:[.\w-]*)$/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Whether version a is older than version b (by release date). */
export function isOlder(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

const HOW_TO_INSTALL = 'Run scripts/ensure-ytdlp.sh to install the pinned version into .tools/ytdlp, or set YTDLP_PATH to a yt-dlp of 2024.07.01 or later.';

/**
 * Runs `yt-dlp --version` and returns the version. Throws YtDlpSetupError when the
 * binary is missing or older than MINIMUM_YTDLP_VERSION (unless allowOutdated).
 */
export async function checkYtDlp(binary: string, options: { allowOutdated?: boolean } = {}): Promise<string> {
  let output: string;
  try {
    ({ stdout: output } = await promisify(execFile)(binary, ['--ignore-config', '--version'], { timeout: 30_000 }));
  } catch (error) {
    throw new YtDlpSetupError(`cannot run yt-dlp at ${binary} (${(error as Error).message.split('\n')[0]}). ${HOW_TO_INSTALL}`);
  }
  const version = output.trim().split('\n')[0] ?? '';
  const parsed = parseYtDlpVersion(version);
  if (!parsed) throw new YtDlpSetupError(`${binary} --version printed "${version}", which is not a yt-dlp version. ${HOW_TO_INSTALL}`);
  if (isOlder(parsed, parseYtDlpVersion(MINIMUM_YTDLP_VERSION)!) && !options.allowOutdated) {
    throw new YtDlpSetupError(
      `yt-dlp ${version} at ${binary} is older than ${MINIMUM_YTDLP_VERSION} and has known vulnerabilities ` +
        `(CVE-2024-38519 among them). ${HOW_TO_INSTALL} To run it anyway, set PARKER_ALLOW_OUTDATED_YTDLP=1.`,
    );
  }
  return version;
}
