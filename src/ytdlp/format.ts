import type { MediaFormat } from '../shared/download.ts';

// The format yt-dlp picked, as Parker records it with a download and as a channel's
// upgrade check asks for it: the same fields, printed by the same template.

/** yt-dlp's output template for the fields of MediaFormat, as one JSON object. */
export const FORMAT_FIELDS_TEMPLATE = '%(.{format_id,height})j';

/** The last non-empty line of a text. */
export function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/**
 * A line printed with FORMAT_FIELDS_TEMPLATE; undefined when it is not JSON or names no
 * format id. A height that is not a positive whole number is taken as unknown.
 */
export function parseFormatJson(line: string): MediaFormat | undefined {
  let fields: { format_id?: unknown; height?: unknown };
  try {
    fields = JSON.parse(line) as typeof fields;
  } catch {
    return undefined;
  }
  if (typeof fields !== 'object' || fields === null) return undefined;
  if (typeof fields.format_id !== 'string' || fields.format_id === '') return undefined;
  const height = typeof fields.height === 'number' && Number.isInteger(fields.height) && fields.height > 0 ? fields.height : undefined;
  return { id: fields.format_id.slice(0, 200), ...(height ? { height } : {}) };
}
