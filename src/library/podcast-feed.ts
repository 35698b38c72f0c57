import { XMLBuilder } from 'fast-xml-parser';
import { xmlText } from './xml-text.ts';

// One channel's downloads as an RSS 2.0 podcast feed with Apple's iTunes tags, which
// every podcast app reads. Built with a real XML builder (escaping is its job), from
// text cleaned of what XML 1.0 cannot carry. Pure.

export interface PodcastChannel {
  title: string;
  description: string;
  author: string;
  /** The channel's own page (its URL in channels.yaml). */
  link: string;
  /** This feed's URL, for atom:link rel="self". */
  feedUrl: string;
  imageUrl?: string;
}

export interface PodcastEpisode {
  /** Stable per video: the same video keeps it in every feed built. */
  guid: string;
  title: string;
  description?: string;
  author?: string;
  /** The video's page at its source. */
  link?: string;
  publishedAt: Date;
  durationSeconds?: number;
  imageUrl?: string;
  enclosure: { url: string; type: string; length: number };
}

const ITUNES = 'http://www.itunes.com/dtds/podcast-1.0.dtd';
const ATOM = 'http://www.w3.org/2005/Atom';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  processEntities: true, // & < > " ' become entities, in text and attributes
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
});

/** `3725` → `01:02:05`, the form every app shows as it is. */
export function itunesDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const parts = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  return parts.map((part) => String(part).padStart(2, '0')).join(':');
}

function episodeItem(episode: PodcastEpisode): Record<string, unknown> {
  const description = episode.description ? xmlText(episode.description) : undefined;
  return {
    title: xmlText(episode.title),
    guid: { '@_isPermaLink': 'false', '#text': xmlText(episode.guid) },
    pubDate: episode.publishedAt.toUTCString(),
    ...(episode.link ? { link: episode.link } : {}),
    ...(description ? { description, 'itunes:summary': description } : {}),
    ...(episode.author ? { 'itunes:author': xmlText(episode.author) } : {}),
    ...(episode.durationSeconds !== undefined ? { 'itunes:duration': itunesDuration(episode.durationSeconds) } : {}),
    ...(episode.imageUrl ? { 'itunes:image': { '@_href': episode.imageUrl } } : {}),
    enclosure: { '@_url': episode.enclosure.url, '@_type': episode.enclosure.type, '@_length': String(episode.enclosure.length) },
  };
}

/** The feed document, UTF-8, with its XML declaration; episodes in the order given. */
export function buildPodcastFeed(channel: PodcastChannel, episodes: readonly PodcastEpisode[]): string {
  const title = xmlText(channel.title);
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    rss: {
      '@_version': '2.0',
      '@_xmlns:itunes': ITUNES,
      '@_xmlns:atom': ATOM,
      channel: {
        title,
        link: channel.link,
        description: xmlText(channel.description),
        'atom:link': { '@_href': channel.feedUrl, '@_rel': 'self', '@_type': 'application/rss+xml' },
        generator: 'Parker',
        'itunes:author': xmlText(channel.author),
        'itunes:summary': xmlText(channel.description),
        'itunes:explicit': 'false',
        ...(channel.imageUrl
          ? { image: { url: channel.imageUrl, title, link: channel.link }, 'itunes:image': { '@_href': channel.imageUrl } }
          : {}),
        item: episodes.map(episodeItem),
      },
    },
  };
  return builder.build(document) as string;
}
