import { access, constants } from 'node:fs/promises';
import { PROJECT_YTDLP } from '../config/settings.ts';
import { runEnsureScript } from '../tools/ensure-script.ts';

// The project's own yt-dlp (.tools/ytdlp, the pinned version from PyPI) is installed on
// first start, as the temporal CLI is. A YTDLP_PATH the operator set is used as it is:
// the version check at worker start judges it.

export async function ensureYtDlp(binary: string): Promise<void> {
  if (binary !== PROJECT_YTDLP) return;
  try {
    await access(binary, constants.X_OK);
  } catch {
    await runEnsureScript('ensure-ytdlp.sh', { ...process.env, YTDLP_PATH: '' });
  }
}
