import { XMLBuilder } from 'fast-xml-parser';
import { xmlText } from './xml-text.ts';

// The OPML file listing every channel's feed: what podcast apps import to subscribe to
// all of them at once. Built with a real XML builder. Pure.

export interface OpmlFeed {
  title: string;
  /** The feed's URL. */
  xmlUrl: string;
  /** The channel's own page. */
  htmlUrl?: string;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, processEntities: true, suppressEmptyNode: true });

export function buildOpml(title: string, feeds: readonly OpmlFeed[], created: Date): string {
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    opml: {
      '@_version': '2.0',
      head: { title: xmlText(title), dateCreated: created.toUTCString() },
      body: {
        outline: feeds.map((feed) => ({
          '@_type': 'rss',
          '@_text': xmlText(feed.title),
          '@_title': xmlText(feed.title),
          '@_xmlUrl': feed.xmlUrl,
          ...(feed.htmlUrl ? { '@_htmlUrl': feed.htmlUrl } : {}),
        })),
      },
    },
  };
  return builder.build(document) as string;
}
