import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SidecarKind } from '../shared/download.ts';

// Sidecar files next to a finished video, named from its stem: `<stem>.info.json`,
// `<stem>.jpg|webp`, `<stem>.<lang>.vtt`, `<stem>.nfo`. yt-dlp writes its own into the
// part's work folder beside the media; finalize moves each into place with one rename
// (atomic: a reader sees the whole file or none). The NFO is written to a temporary
// name beside its place and renamed. Callers pass paths already checked to be inside
// DOWNLOAD_DIR (src/naming/video-paths.ts).

/** The base name yt-dlp's output template gives everything it writes (see downloaders/ytdlp.ts). */
export const YTDLP_OUTPUT_NAME = 'media';

const THUMBNAIL_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];
const SUBTITLE_EXTENSIONS = ['vtt', 'srt', 'ass', 'ttml', 'srv1', 'srv2', 'srv3', 'json3'];

/** A sidecar yt-dlp left in the work folder, and the suffix it takes after the stem. */
export interface FoundSidecar {
  kind: Exclude<SidecarKind, 'nfo'>;
  file: string;
  /** What follows `<stem>.`: `info.json`, `webp`, `en.vtt`. */
  suffix: string;
}

/** What yt-dlp named a file in the work folder, as a sidecar of a requested kind; else undefined. */
export function sidecarSuffix(name: string, wanted: readonly SidecarKind[], languages: readonly string[]): FoundSidecar['kind'] | undefined {
  const prefix = `${YTDLP_OUTPUT_NAME}.`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  if (rest === 'info.json') return wanted.includes('info_json') ? 'info_json' : undefined;
  if (THUMBNAIL_EXTENSIONS.includes(rest)) return wanted.includes('thumbnail') ? 'thumbnail' : undefined;
  const subtitle = /^([a-zA-Z0-9-]{1,20})\.([a-z0-9]{1,5})$/.exec(rest);
  if (subtitle && languages.includes(subtitle[1]!) && SUBTITLE_EXTENSIONS.includes(subtitle[2]!)) {
    return wanted.includes('subtitles') ? 'subtitles' : undefined;
  }
  return undefined;
}

/** The requested sidecars yt-dlp wrote into the work folder; none when the folder is gone. */
export async function findSidecars(workDir: string, wanted: readonly SidecarKind[], languages: readonly string[]): Promise<FoundSidecar[]> {
  const names = await readdir(workDir).catch(() => [] as string[]);
  const found: FoundSidecar[] = [];
  for (const name of names.sort()) {
    const kind = sidecarSuffix(name, wanted, languages);
    if (kind) found.push({ kind, file: path.join(workDir, name), suffix: name.slice(YTDLP_OUTPUT_NAME.length + 1) });
  }
  return found;
}

/** The description in yt-dlp's info.json, if it wrote one and it has one. */
export async function descriptionFromInfoJson(workDir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(await readFile(path.join(workDir, `${YTDLP_OUTPUT_NAME}.info.json`), 'utf8')) as { description?: unknown };
    return typeof info.description === 'string' && info.description.trim() ? info.description.slice(0, 5000) : undefined;
  } catch {
    return undefined; // not asked for, not written, or not JSON: the NFO goes without a plot from it
  }
}

/** Moves a sidecar into place; a retry whose move already happened finds nothing to move. */
export async function moveSidecar(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Writes a file whole or not at all: a temporary name beside it, then a rename over it. */
export async function writeFileAtomically(file: string, contents: string): Promise<void> {
  const temporary = `${file}.tmp`;
  try {
    await writeFile(temporary, contents, { mode: 0o644 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
