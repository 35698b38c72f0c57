import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { isMap, isSeq, parseDocument, type Document, type YAMLSeq } from 'yaml';
import { parseChannelList } from '../config/channels.ts';
import { writeFileAtomically } from '../sidecars/files.ts';

// `channels import feeds.opml`: the feeds of an OPML file (a podcast app's export, another
// archiver's) added to channels.yaml as channels. The file is edited as a YAML document,
// so its comments, order and formatting stay as the person wrote them; a feed already
// in the file is left out, and the result is checked as Parker would read it before it
// is written, whole or not at all.

export interface ImportedChannel {
  name: string;
  url: string;
}

export interface OpmlImport {
  /** The channel list with the new channels, as text to write. */
  text: string;
  added: ImportedChannel[];
  /** Outlines left out, each with why. */
  skipped: Array<{ url: string; title: string; reason: string }>;
}

/** Thrown when the OPML file or the channel list cannot be used; the message names the file. */
export class OpmlImportError extends Error {
  override name = 'OpmlImportError';
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  processEntities: { enabled: true, maxEntityCount: 0 },
  htmlEntities: true,
  isArray: (name) => name === 'outline',
});

interface Outline {
  xmlUrl?: string;
  text?: string;
  title?: string;
  outline?: Outline[];
}

/** Every outline with a feed URL, categories walked into, in document order. */
function feedOutlines(outlines: Outline[] | undefined): Outline[] {
  return (outlines ?? []).flatMap((outline) => [...(typeof outline.xmlUrl === 'string' ? [outline] : []), ...feedOutlines(outline.outline)]);
}

/** A channel name from a feed's title: letters, digits, - and _, at most 63, as channels.yaml wants. */
export function channelNameFrom(title: string): string {
  const name = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name || 'feed';
}

/** `name`, else `name-2`, `name-3`… : the first one no channel has (names are compared ignoring case). */
function unusedName(wanted: string, taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `-${n}`;
    const candidate = `${wanted.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** A URL compared the way a person means it: scheme and host in lower case, no fragment. */
function sameFeed(url: string): string {
  try {
    const parsed = new URL(url.trim());
    parsed.hash = '';
    return parsed.href;
  } catch {
    return url.trim();
  }
}

function channelSeq(document: Document, configFile: string): YAMLSeq {
  const channels = document.get('channels', true);
  if (channels === undefined || channels === null) {
    document.set('channels', document.createNode([]));
    return document.get('channels', true) as YAMLSeq;
  }
  if (!isSeq(channels)) throw new OpmlImportError(`${configFile}: channels: must be a list`);
  // `channels: []` would grow into one long line: entries go one per block, as written by hand.
  if (channels.items.length === 0) channels.flow = false;
  return channels;
}

/** The channel list `yamlText` (of `configFile`) with the feeds of `opmlText` (of `opmlFile`) added. */
export function importOpml(opmlText: string, opmlFile: string, yamlText: string, configFile: string, now = new Date()): OpmlImport {
  if (/<!DOCTYPE|<!ENTITY/i.test(opmlText)) throw new OpmlImportError(`${opmlFile}: declares a DOCTYPE or entities, which Parker does not read`);
  let body: { outline?: Outline[] } | undefined;
  try {
    body = (parser.parse(opmlText, true) as { opml?: { body?: { outline?: Outline[] } } }).opml?.body;
  } catch (error) {
    throw new OpmlImportError(`${opmlFile}: not an OPML file: ${(error as Error).message}`);
  }
  if (body === undefined) throw new OpmlImportError(`${opmlFile}: not an OPML file: no <opml><body>`);

  const document = parseDocument(yamlText);
  if (document.errors.length > 0) throw new OpmlImportError(`${configFile}: not valid YAML: ${document.errors[0]!.message}`);
  if (document.contents !== null && !isMap(document.contents)) throw new OpmlImportError(`${configFile}: must be a mapping with channels:`);
  const channels = channelSeq(document, configFile);
  const existing = (channels.toJSON() as Array<{ name?: unknown; url?: unknown }>).filter((entry) => entry && typeof entry === 'object');
  const takenNames = new Set(existing.flatMap((entry) => (typeof entry.name === 'string' ? [entry.name.toLowerCase()] : [])));
  const knownUrls = new Set(existing.flatMap((entry) => (typeof entry.url === 'string' ? [sameFeed(entry.url)] : [])));

  const added: ImportedChannel[] = [];
  const skipped: OpmlImport['skipped'] = [];
  for (const outline of feedOutlines(body.outline)) {
    const url = outline.xmlUrl!.trim();
    const title = (outline.title ?? outline.text ?? '').trim();
    if (!/^https?:\/\/[^/]/i.test(url)) {
      skipped.push({ url, title, reason: 'not an http:// or https:// URL' });
      continue;
    }
    if (knownUrls.has(sameFeed(url))) {
      skipped.push({ url, title, reason: 'already in the channel list' });
      continue;
    }
    const name = unusedName(channelNameFrom(title || new URL(url).hostname), takenNames);
    takenNames.add(name.toLowerCase());
    knownUrls.add(sameFeed(url));
    const node = document.createNode({ name, url });
    if (added.length === 0) node.commentBefore = ` imported from ${opmlFile} on ${now.toISOString().slice(0, 10)}`;
    channels.add(node);
    added.push({ name, url });
  }

  const text = document.toString();
  // What Parker would make of the result: an entry it would refuse is not written.
  const check = parseChannelList(text, configFile);
  const broken = check.problems.filter((problem) => added.some((channel) => channel.name === problem.channel));
  if (broken.length > 0) throw new OpmlImportError(broken.map((problem) => problem.message).join('; '));
  return { text, added, skipped };
}

/** Reads both files, adds the feeds, and writes the channel list (a new one when there is none) when anything was added. */
export async function importOpmlFile(opmlFile: string, configFile: string): Promise<OpmlImport> {
  const read = (file: string) =>
    readFile(file, 'utf8').catch((error: Error) => {
      throw new OpmlImportError(`${file}: cannot read it: ${error.message}`);
    });
  const yamlText = existsSync(configFile) ? await read(configFile) : "# Parker's channel list (see channels.example.yaml).\nchannels: []\n";
  const result = importOpml(await read(opmlFile), opmlFile, yamlText, configFile);
  if (result.added.length > 0) await writeFileAtomically(configFile, result.text);
  return result;
}
