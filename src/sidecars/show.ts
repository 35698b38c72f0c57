import { constants } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { XMLBuilder } from 'fast-xml-parser';
import { xmlText } from '../library/xml-text.ts';
import { partPathInside } from '../naming/video-paths.ts';
import { writeFileAtomically } from './files.ts';

// Show-level metadata for the folder layout Jellyfin, Emby, Plex and Kodi read: a channel
// is a show, its folder (the first folder of the output template, `{channel}` by default)
// holds `tvshow.nfo` and `poster.<ext>`, and `Season {year}` folders below it are its
// seasons. Written once, when the first video that has them arrives; a file already there
// (the user's own poster) is never replaced.

export interface ShowFields {
  /** The channel's title as its listing gave it, else its name. */
  title: string;
  channel: string;
  /** The channel's page. */
  url?: string;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true, suppressBooleanAttributes: false, processEntities: true });

/** The `<tvshow>` document, UTF-8, with its XML declaration. Pure. */
export function buildTvShowNfo(fields: ShowFields): string {
  const show = {
    title: xmlText(fields.title),
    plot: xmlText(`Every video of ${fields.title}, archived by Parker.`),
    studio: xmlText(fields.channel),
    uniqueid: { '@_type': 'parker', '@_default': 'true', '#text': xmlText(fields.channel) },
  };
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${builder.build({ tvshow: show }) as string}`;
}

/** The show folder of a video's stem (relative to DOWNLOAD_DIR): its first folder; none for a stem without one. */
export function showFolderOf(relativeStem: string): string | undefined {
  const parts = relativeStem.split('/');
  return parts.length >= 2 ? parts[0] : undefined;
}

const exists = (file: string) => stat(file).then(() => true, () => false);

/**
 * Writes `tvshow.nfo` (when `nfo` is true) and `poster.<ext>` (a copy of `thumbnail`,
 * when given) into the video's show folder, each only if the folder has none yet.
 */
export async function writeShowMetadata(downloadDir: string, relativeStem: string, fields: ShowFields, options: { nfo: boolean; thumbnail?: string }): Promise<void> {
  const folder = showFolderOf(relativeStem);
  if (!folder) return;
  if (options.nfo) {
    const nfo = partPathInside(downloadDir, path.join(downloadDir, folder, 'tvshow.nfo'));
    if (!(await exists(nfo))) await writeFileAtomically(nfo, buildTvShowNfo(fields));
  }
  if (options.thumbnail) {
    const ext = path.extname(options.thumbnail).slice(1).toLowerCase();
    const posters = ['jpg', 'jpeg', 'png', 'webp'].map((candidate) => path.join(downloadDir, folder, `poster.${candidate}`));
    const poster = partPathInside(downloadDir, path.join(downloadDir, folder, `poster.${ext}`));
    if ((await Promise.all(posters.map(exists))).some(Boolean)) return;
    // COPYFILE_EXCL: a poster that appeared meanwhile is kept.
    await copyFile(options.thumbnail, poster, constants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
