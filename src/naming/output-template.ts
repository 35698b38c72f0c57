import { cleanNamePart, MAX_FILENAME_BYTES, truncateUtf8 } from './safe-filename.ts';
import { safeIdPart } from './workflow-ids.ts';

// A channel's output template, such as `{channel}/{date} {title} [{id}].{ext}`: checked
// once when channels.yaml is read (problems in words a person can act on), expanded per
// video into the stem of its files. Every value is cleaned before it goes in, and every
// folder and file name that comes out is one safe path component of at most 255 bytes.

// `{year}` makes the season folders media servers read: `{channel}/Season {year}/…`.
export const OUTPUT_PLACEHOLDERS = ['channel', 'title', 'id', 'date', 'ext', 'uploader', 'year'] as const;
export type OutputPlaceholder = (typeof OUTPUT_PLACEHOLDERS)[number];

/** Today's name, and the name every channel gets unless it says otherwise. */
export const DEFAULT_OUTPUT_TEMPLATE = '{channel}/{date} {title} [{id}].{ext}';

/**
 * Bytes kept free in the file name for what follows the stem: the longest media
 * extension, then the part file's resume record. Sidecars (`.info.json`, `.en.vtt`) are
 * shorter than this, so every file Parker writes for a video fits in 255 bytes.
 */
export const STEM_RESERVED_BYTES = '.webm.part.resume.json'.length;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const EXT_SUFFIX = '.{ext}';

/** What is wrong with a template, in words for a config error; undefined when it is fine. */
export function outputTemplateProblem(template: string): string | undefined {
  if (template.trim() !== template || !template) return 'must not be empty or start or end with white space';
  if (template.startsWith('/') || template.startsWith('\\') || /^[A-Za-z]:/.test(template)) {
    return 'must be a relative path: files always go inside DOWNLOAD_DIR';
  }
  if (template.includes('\\')) return 'separates folders with "/", never "\\"';
  const unknown = [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1]!)
    .filter((name) => !(OUTPUT_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return `unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')}; known: ${OUTPUT_PLACEHOLDERS.map((name) => `{${name}}`).join(' ')}`;
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) return 'has an unmatched "{" or "}"';
  if (!template.endsWith(EXT_SUFFIX) || template.split('{ext}').length !== 2) {
    return 'must end with ".{ext}" and use {ext} only there: the downloader decides the extension';
  }
  for (const component of template.split('/')) {
    if (component === '') return 'has an empty folder name ("//" or a trailing "/")';
    if (component === '.' || component === '..') return 'must not contain "." or ".." folders: files always go inside DOWNLOAD_DIR';
  }
  if (template.split('/').at(-1) === EXT_SUFFIX) return 'needs a file name before ".{ext}"';
  return undefined;
}

export interface OutputValues {
  channel: string;
  title: string;
  externalId: string;
  /** UTC date of publication (or of discovery). */
  date: Date;
  /** Who uploaded the video, when the source said; else the channel's name. */
  uploader?: string;
}

/** Fills one component; the title gets what room the rest leaves (split between its uses). */
function expandComponent(component: string, values: OutputValues, budget: number): string {
  const fixed: Record<Exclude<OutputPlaceholder, 'title' | 'ext'>, string> = {
    channel: cleanNamePart(values.channel, 100, 'channel'),
    uploader: cleanNamePart(values.uploader ?? values.channel, 100, 'uploader'),
    id: safeIdPart(values.externalId), // unique per external id, at most 73 plain characters
    date: values.date.toISOString().slice(0, 10),
    year: String(values.date.getUTCFullYear()),
  };
  const withoutTitle = component.replace(PLACEHOLDER, (_, name: string) => (name === 'title' ? '' : fixed[name as keyof typeof fixed]));
  const titles = component.split('{title}').length - 1;
  let title = '';
  if (titles > 0) {
    const room = Math.floor((budget - Buffer.byteLength(withoutTitle)) / titles);
    title = room > 0 ? cleanNamePart(values.title, room, 'untitled') : '';
  }
  const filled = component.replace(PLACEHOLDER, (_, name: string) => (name === 'title' ? title : fixed[name as keyof typeof fixed]));
  // Literal text from the template and the joins between values get the same cleaning
  // as a title; a cleaned value passes through unchanged.
  return cleanNamePart(filled, budget, '_');
}

/**
 * The stem of a video's files, relative to DOWNLOAD_DIR: the template without `.{ext}`,
 * with every placeholder filled and every component made safe. The template must have
 * passed outputTemplateProblem.
 */
export function expandOutputTemplate(template: string, values: OutputValues): string {
  const components = template.slice(0, -EXT_SUFFIX.length).split('/');
  return components
    .map((component, index) =>
      expandComponent(component, values, MAX_FILENAME_BYTES - (index === components.length - 1 ? STEM_RESERVED_BYTES : 0)),
    )
    .join('/');
}

/**
 * The stem with a counter, for the n-th video (n ≥ 2) whose template gives the same
 * stem as an earlier one: `… [id] (2)`. The file name is cut to keep its room.
 */
export function stemWithCounter(stem: string, n: number): string {
  const slash = stem.lastIndexOf('/');
  const folder = stem.slice(0, slash + 1);
  const suffix = ` (${n})`;
  const name = truncateUtf8(stem.slice(slash + 1), MAX_FILENAME_BYTES - STEM_RESERVED_BYTES - Buffer.byteLength(suffix)).replace(/[.\s]+$/, '');
  return `${folder}${name}${suffix}`;
}
