import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import { parseChannelList, type ChannelConfigProblem } from './channels.ts';

// Edits channels.yaml the way a person would: one entry added or removed, every comment,
// blank line and other entry left as it was (the yaml library's document API). An edit
// that would leave the new entry broken is refused before anything is written.

export interface NewChannel {
  name: string;
  url: string;
  every?: string;
  backfill?: number | 'all';
}

/** Thrown when the edit cannot be made; the message says what to do instead. */
export class ChannelEditError extends Error {
  override name = 'ChannelEditError';
}

async function readDocument(file: string): Promise<Document> {
  const text = existsSync(file) ? await readFile(file, 'utf8') : 'channels: []\n';
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new ChannelEditError(`${file} is not valid YAML (${document.errors[0]!.message}): fix it by hand first`);
  }
  return document;
}

function channelsOf(document: Document, file: string): YAMLSeq {
  const channels = document.get('channels', true);
  if (channels === undefined || channels === null || (isScalar(channels) && channels.value === null)) {
    // `channels:` with nothing under it yet: a list in its place, with its comments.
    const empty = new YAMLSeq();
    if (isScalar(channels)) {
      empty.commentBefore = channels.commentBefore;
      empty.comment = channels.comment;
    }
    document.set('channels', empty);
    return empty;
  }
  if (!isSeq(channels)) throw new ChannelEditError(`${file}: "channels" is not a list: fix it by hand first`);
  return channels;
}

function indexOf(channels: YAMLSeq, name: string): number {
  return channels.items.findIndex((item) => isMap(item) && String(item.get('name')).toLowerCase() === name.toLowerCase());
}

/** Writes next to the file and renames over it, so a crash never leaves half a file. */
async function save(file: string, document: Document): Promise<void> {
  const partial = `${file}.parker-edit`;
  await writeFile(partial, document.toString());
  await rename(partial, file);
}

/** Adds a channel at the end of the list; refuses a name in use or an entry that would not validate. */
export async function addChannelEntry(file: string, channel: NewChannel): Promise<void> {
  const document = await readDocument(file);
  const channels = channelsOf(document, file);
  if (indexOf(channels, channel.name) >= 0) {
    throw new ChannelEditError(`${file} has a channel named "${channel.name}" already: choose another name with --name`);
  }
  // No key for what the user did not give: the defaults apply, as for a hand-written entry.
  const entry = Object.fromEntries(Object.entries(channel).filter(([, value]) => value !== undefined));
  channels.add(document.createNode(entry));
  const problem = problemOf(parseChannelList(document.toString(), file).problems, channel.name);
  if (problem) throw new ChannelEditError(`${problem.message}: nothing was written`);
  await save(file, document);
}

/** Removes the channel's entry; its comments go with it, the others' stay. */
export async function removeChannelEntry(file: string, name: string): Promise<void> {
  const document = await readDocument(file);
  const channels = channelsOf(document, file);
  const index = indexOf(channels, name);
  if (index < 0) throw new ChannelEditError(`${file} has no channel named "${name}": see \`parker channels list\``);
  channels.delete(index);
  await save(file, document);
}

function problemOf(problems: ChannelConfigProblem[], name: string): ChannelConfigProblem | undefined {
  return problems.find((problem) => problem.channel.toLowerCase() === name.toLowerCase());
}

/** A channel name from its URL when none is given: `@SomeHandle` → `somehandle`, `…/feed.xml` → the host. */
export function channelNameFromUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChannelEditError(`"${url}" is not a URL: give the channel's feed or page address`);
  }
  const segments = parsed.pathname.split('/').filter(Boolean);
  const handle = segments.find((segment) => segment.startsWith('@'));
  const last = segments.at(-1)?.replace(/\.[a-z0-9]+$/i, '');
  const generic = !last || /^(feed|rss|podcast|atom|index|videos)$/i.test(last);
  const base = handle?.slice(1) ?? (generic ? parsed.hostname.replace(/^www\./, '') : last);
  const name = base.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  if (!name) throw new ChannelEditError(`cannot make a channel name from ${url}: give one with --name`);
  return name;
}
