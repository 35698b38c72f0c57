// File names made from strangers' titles and ids. A name built here is a single path
// component on every common file system: no separators, no `..`, no control or bidi
// characters, not a Windows device name, not an option (leading `-`), at most 255 bytes.
import { safeIdPart } from './workflow-ids.ts';

export const MAX_FILENAME_BYTES = 255;

// C0 and C1 controls, DEL, and the Unicode bidi controls (LRE…RLO, LRI…PDI, LRM, RLM, ALM)
// that can make `evil‮4pm.exe` display as `evilexe.mp4`.
const CONTROL_AND_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// Separators and the characters Windows forbids in names.
const FORBIDDEN = /[/\\:*?"<>|]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Cuts text to at most maxBytes of UTF-8 without splitting a character or grapheme. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = Buffer.byteLength(segment);
    if (bytes + size > maxBytes) break;
    out += segment;
    bytes += size;
  }
  return out;
}

/**
 * Cleans one piece of a file name: forbidden characters become `_`, control and bidi
 * characters go, white space folds, and leading dots, dashes and trailing dots go.
 * Returns `fallback` when nothing is left.
 */
export function cleanNamePart(text: string, maxBytes: number, fallback = '_'): string {
  const cleaned = text
    .normalize('NFC')
    .replace(CONTROL_AND_BIDI, ' ')
    .replace(FORBIDDEN, '_')
    .replace(/\s+/gu, ' ')
    .replace(/\.{2,}/g, '.')
    .trim()
    .replace(/^[.\-\s]+/, '')
    .replace(/[.\s]+$/, '');
  const cut = truncateUtf8(cleaned, maxBytes).replace(/[.\s]+$/, '');
  if (!cut) return fallback;
  // The `_` that defuses a device name must fit in maxBytes too.
  if (WINDOWS_DEVICE.test(cut)) return `_${truncateUtf8(cut, maxBytes - 1).replace(/[.\s]+$/, '')}`;
  return cut;
}

export interface VideoFileName {
  /** UTC date of publication (or of discovery). */
  date: Date;
  title: string;
  externalId: string;
}

/**
 * The file name without extension: `<YYYY-MM-DD> <title> [<id>]`. Room is kept for the
 * longest extension plus `.part.resume.json`, so the part file and its resume record fit too.
 */
export function videoFileStem({ date, title, externalId }: VideoFileName): string {
  const day = date.toISOString().slice(0, 10);
  const id = safeIdPart(externalId); // at most 73 plain characters, unique per external id
  // The longest extension on the allow-list, then the part file's resume record: every
  // file Parker writes for the video must fit in 255 bytes, not only the final one.
  const reserved = '.webm.part.resume.json'.length;
  const fixed = Buffer.byteLength(`${day}  [${id}]`) + reserved;
  const safeTitle = cleanNamePart(title, MAX_FILENAME_BYTES - fixed, 'untitled');
  return `${day} ${safeTitle} [${id}]`;
}
