import { rssFeed } from '../../src/demo/rss-feed.ts';
import type { CrawlInput } from '../../src/shared/crawl.ts';
import type { FixtureServer } from './fixture-server.ts';
import { mediaBytes, uniqueName } from './parker.ts';

// A podcast on the fixture server whose episodes each either download or answer 404:
// the channel the CLI and search attribute tests list, filter and show.

export interface Episode {
  /** Its guid is `<channel>-<id>`. */
  id: string;
  title: string;
  /** Served with a small body; false: the media URL answers 404. */
  served: boolean;
  /** Bytes per second, so that a transfer takes a while; default as fast as it goes. */
  bytesPerSecond?: number;
  size?: number;
}

export interface FeedChannel {
  channel: string;
  input: CrawlInput;
  feedUrl: string;
}

export function feedChannel(server: FixtureServer, prefix: string, episodes: Episode[]): FeedChannel {
  const channel = uniqueName(prefix);
  const items = episodes.map((episode, index) => {
    const mediaPath = `/${channel}/${episode.id}.mp3`;
    if (episode.served) {
      server.setMedia(mediaPath, {
        body: mediaBytes(episode.size ?? 2048),
        contentType: 'audio/mpeg',
        ...(episode.bytesPerSecond ? { bytesPerSecond: episode.bytesPerSecond } : {}),
      });
    }
    return {
      guid: `${channel}-${episode.id}`,
      title: episode.title,
      mediaUrl: server.url(mediaPath),
      mediaType: 'audio/mpeg',
      publishedAt: new Date(Date.UTC(2025, 5, index + 1)),
    };
  });
  const feedPath = `/${channel}/feed.xml`;
  server.setFeed(feedPath, rssFeed(channel, items));
  const feedUrl = server.url(feedPath);
  return { channel, feedUrl, input: { channel, url: feedUrl, backfill: episodes.length } };
}
