import { XMLParser } from 'fast-xml-parser';
import type { ChannelListing, ListedVideo } from '../shared/listing.ts';
import { InvalidFeedError } from '../errors.ts';
import { parseClockSeconds } from '../rules/durations.ts';

// Turns RSS 2.0, Atom and YouTube's channel feed into a listing. Pure: no I/O.
//
// Entity expansion is off: a document that declares entities in its DOCTYPE is refused
// before parsing (no "billion laughs", no external entities); XML's predefined entities
// and character references are decoded, as are HTML's named ones that feeds misuse.

/** Titles longer than this are cut; they only go into file names and the database. */
const MAX_TITLE_LENGTH = 500;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false, // a guid of "0123" must stay a string
  parseAttributeValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxEntityCount: 0 },
  htmlEntities: true, // numeric character references such as &#8217;
  isArray: (name) => ['item', 'entry', 'link', 'enclosure', 'media:content'].includes(name),
});

type Node = Record<string, unknown>;

/** The text of an element that may carry attributes (`<title type="html">…</title>`). */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && '#text' in (value as Node)) return text((value as Node)['#text']);
  return undefined;
}

function attr(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  return text((node as Node)[`@_${name}`]);
}

function asArray(value: unknown): Node[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is Node => typeof v === 'object' && v !== null);
}

function isoDate(value: unknown): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function httpUrl(value: string | undefined, base: string): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An item's length in seconds: `<itunes:duration>` (seconds, MM:SS or HH:MM:SS), else
 * media:content's `duration` attribute (seconds). Undefined when the feed does not say.
 */
function durationSeconds(item: Node, media: Node | undefined): number | undefined {
  const written = text(item['itunes:duration']) ?? attr(media, 'duration');
  return written === undefined ? undefined : parseClockSeconds(written);
}

function withDuration(seconds: number | undefined): { durationSeconds?: number } {
  return seconds === undefined ? {} : { durationSeconds: seconds };
}

function title(value: unknown): string {
  return (text(value) ?? 'untitled').slice(0, MAX_TITLE_LENGTH);
}

/** Descriptions are for the NFO's plot; the database cuts them again, this bounds memory. */
const MAX_DESCRIPTION_LENGTH = 5000;

/**
 * Who made the entry and what it says about itself, when the feed tells: keys only
 * for what is there, so a listing without them compares equal to one from before.
 */
function about(uploader: unknown, description: unknown): Pick<ListedVideo, 'uploader' | 'description'> {
  const who = text(uploader)?.slice(0, 255);
  const what = text(description)?.slice(0, MAX_DESCRIPTION_LENGTH);
  return { ...(who ? { uploader: who } : {}), ...(what ? { description: what } : {}) };
}

/** An Atom person's name (`<author><name>…</name></author>`). */
function personName(value: unknown): unknown {
  return asArray(value)[0]?.name;
}

/** First media:content with an http(s) URL, looking inside media:group too. */
function mediaContent(node: Node, feedUrl: string): Node | undefined {
  const direct = asArray(node['media:content']);
  const grouped = asArray(node['media:group']).flatMap((group) => asArray(group['media:content']));
  return [...direct, ...grouped].find((content) => httpUrl(attr(content, 'url'), feedUrl));
}

function withMedia(
  entry: Omit<ListedVideo, 'mediaUrl' | 'mediaType'>,
  url: string | undefined,
  type: string | undefined,
): ListedVideo {
  if (url) return { ...entry, mediaUrl: url, mediaType: type };
  return { ...entry, skipReason: 'no downloadable media link in the feed entry' };
}

function parseRss(channel: Node, feedUrl: string): ChannelListing {
  const entries: ListedVideo[] = [];
  for (const item of asArray(channel.item)) {
    const enclosure = asArray(item.enclosure).find((e) => httpUrl(attr(e, 'url'), feedUrl));
    const media = enclosure ?? mediaContent(item, feedUrl);
    const mediaUrl = httpUrl(attr(media, 'url'), feedUrl);
    // isArray makes every <link> an array (Atom has several); RSS has one, as text.
    const link = httpUrl([item.link].flat().map(text).find(Boolean), feedUrl);
    const externalId = text(item.guid) ?? mediaUrl ?? link;
    if (!externalId) continue; // nothing identifies it: it could never be told apart from the next one
    entries.push(
      withMedia(
        {
          externalId,
          title: title(item.title),
          url: link,
          publishedAt: isoDate(item.pubDate ?? item['dc:date']),
          ...withDuration(durationSeconds(item, media)),
          ...about(item['itunes:author'] ?? item['dc:creator'] ?? item.author ?? channel['itunes:author'], item['itunes:summary'] ?? item.description),
        },
        mediaUrl,
        attr(media, 'type'),
      ),
    );
  }
  return { kind: 'rss', title: text(channel.title), entries };
}

function parseAtom(feed: Node, feedUrl: string): ChannelListing {
  const youtube = feed['yt:channelId'] !== undefined || asArray(feed.entry).some((e) => e['yt:videoId'] !== undefined);
  const entries: ListedVideo[] = [];
  for (const entry of asArray(feed.entry)) {
    const links = asArray(entry.link);
    const alternate = links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
    const enclosure = links.find((l) => attr(l, 'rel') === 'enclosure');
    const url = httpUrl(attr(alternate, 'href'), feedUrl);
    const publishedAt = isoDate(entry.published ?? entry.updated);
    const videoId = text(entry['yt:videoId']);
    const described = about(
      personName(entry.author) ?? personName(feed.author),
      asArray(entry['media:group'])[0]?.['media:description'] ?? entry.summary,
    );
    if (youtube && videoId) {
      const group = asArray(entry['media:group'])[0];
      // The page is what yt-dlp downloads; the YouTube source points it at its base URL.
      const page = url ?? `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}`;
      entries.push({
        externalId: videoId,
        title: title(entry.title ?? group?.['media:title']),
        url,
        publishedAt,
        mediaUrl: page,
        downloader: 'ytdlp',
        ...described,
        // YouTube links a Short as /shorts/<id> rather than /watch?v=<id>.
        ...(/\/shorts\//.test(page) ? { isShort: true } : {}),
      });
      continue;
    }
    const mediaUrl = httpUrl(attr(enclosure, 'href'), feedUrl);
    const externalId = text(entry.id) ?? mediaUrl ?? url;
    if (!externalId) continue;
    entries.push(withMedia({ externalId, title: title(entry.title), url, publishedAt, ...described }, mediaUrl, attr(enclosure, 'type')));
  }
  return { kind: youtube ? 'youtube' : 'atom', title: text(feed.title), entries };
}

/**
 * Whether the prolog (everything before the root element, where a DOCTYPE lives)
 * declares entities. The parser would expand one of them; feeds have no business
 * declaring any.
 */
function declaresEntities(xml: string): boolean {
  const root = xml.search(/<(rss|feed)[\s>]/);
  return xml.slice(0, root === -1 ? xml.length : root).includes('<!ENTITY');
}

/** Parses a feed document; throws InvalidFeedError naming the URL when it is not one. */
export function parseFeed(xml: string, feedUrl: string): ChannelListing {
  if (declaresEntities(xml)) {
    throw new InvalidFeedError(feedUrl, 'the document declares XML entities (<!ENTITY>), which Parker does not expand');
  }
  let document: Node;
  try {
    document = parser.parse(xml) as Node;
  } catch (error) {
    throw new InvalidFeedError(feedUrl, `not well-formed XML: ${(error as Error).message}`, { cause: error });
  }
  const rss = document.rss as Node | undefined;
  if (rss && typeof rss === 'object' && rss.channel && typeof rss.channel === 'object') {
    return parseRss(rss.channel as Node, feedUrl);
  }
  if (document.feed && typeof document.feed === 'object') return parseAtom(document.feed as Node, feedUrl);
  throw new InvalidFeedError(feedUrl, 'neither an RSS 2.0 nor an Atom feed (no <rss><channel> or <feed> element)');
}
