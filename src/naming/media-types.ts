// The allow-list of media types Parker saves, and the extension each one gets.
// A file never gets an extension that is not on this list (no .exe, no .html).

const EXTENSION_BY_MEDIA_TYPE: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/webm': 'webm',
  'video/mp4': 'mp4',
  'video/x-m4v': 'm4v',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'video/x-matroska': 'mkv',
  'video/ogg': 'ogv',
  'video/mpeg': 'mpg',
  'video/3gpp': '3gp',
};

export const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set(Object.values(EXTENSION_BY_MEDIA_TYPE));

/** The media type of an allow-listed extension (`m4a` → `audio/mp4`): the first type that names it. */
export function mediaTypeForExtension(ext: string): string | undefined {
  return Object.entries(EXTENSION_BY_MEDIA_TYPE).find(([, known]) => known === ext)?.[0];
}

/** Generic binary types that CDNs often send for media; accepted, but they name no extension. */
const GENERIC_BINARY_TYPES = new Set(['application/octet-stream', 'binary/octet-stream']);

/** `audio/MPEG; charset=x` → `audio/mpeg`. */
function essence(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The extension for a media type, or undefined when the type is not on the allow-list. */
export function extensionForMediaType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const type = essence(contentType);
  // Own keys only: a feed's type="constructor" must not find Object.prototype.constructor.
  return Object.hasOwn(EXTENSION_BY_MEDIA_TYPE, type) ? EXTENSION_BY_MEDIA_TYPE[type] : undefined;
}

/** The extension of a URL's path, when it is on the allow-list (`…/ep1.MP3?x=1` → `mp3`). */
export function extensionFromUrl(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /\.([a-z0-9]{1,5})$/i.exec(pathname);
  const ext = match?.[1]?.toLowerCase();
  return ext && MEDIA_EXTENSIONS.has(ext) ? ext : undefined;
}

/**
 * Whether a response with this Content-Type can be media. A missing type is accepted
 * (the byte count and the extension allow-list still apply); text, HTML, JSON and XML
 * are not: they are error pages and login walls.
 */
export function isMediaContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = essence(contentType);
  return type.startsWith('audio/') || type.startsWith('video/') || GENERIC_BINARY_TYPES.has(type);
}

// Where two types share an extension, the one a file of that extension usually is.
const USUAL_TYPE_BY_EXTENSION: Record<string, string> = { webm: 'video/webm' };

/**
 * The media type to serve a saved file as: the type its listing declared when that type
 * names the file's extension, else the usual type of the extension. Undefined for an
 * extension not on the allow-list.
 */
export function mediaTypeForFile(fileName: string, declared?: string): string | undefined {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(fileName)?.[1]?.toLowerCase();
  if (!ext || !MEDIA_EXTENSIONS.has(ext)) return undefined;
  if (declared && extensionForMediaType(declared) === ext) return essence(declared);
  if (Object.hasOwn(USUAL_TYPE_BY_EXTENSION, ext)) return USUAL_TYPE_BY_EXTENSION[ext];
  return Object.entries(EXTENSION_BY_MEDIA_TYPE).find(([, extension]) => extension === ext)?.[0];
}
