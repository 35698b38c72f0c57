import { randomBytes } from 'node:crypto';
import { rssFeed } from '../../src/demo/rss-feed.ts';
import type { FixtureServer, MediaFile, Fault } from './fixture-server.ts';
import type { CrawlInput } from '../../src/shared/crawl.ts';
import { uniqueName } from './parker.ts';

// A podcast with one episode on the fixture server: the smallest channel a download
// test needs.

export interface OneEpisode {
  channel: string;
  externalId: string;
  mediaPath: string;
  input: CrawlInput;
}

export function podcastWithOneEpisode(
  server: FixtureServer,
  file: MediaFile,
  options: { faults?: Fault[]; mediaType?: string; extension?: string } = {},
): OneEpisode {
  const channel = uniqueName('dl');
  const mediaPath = `/${channel}/episode.${options.extension ?? 'mp3'}`;
  const externalId = `${channel}-ep`;
  server.setMedia(mediaPath, file);
  if (options.faults) server.addFaults(mediaPath, ...options.faults);
  const feedPath = `/${channel}/feed.xml`;
  server.setFeed(
    feedPath,
    rssFeed(channel, [
      {
        guid: externalId,
        title: 'The episode',
        mediaUrl: server.url(mediaPath),
        mediaType: options.mediaType ?? 'audio/mpeg',
        publishedAt: new Date(Date.UTC(2025, 5, 1)),
      },
    ]),
  );
  return { channel, externalId, mediaPath, input: { channel, url: server.url(feedPath), backfill: 1 } };
}

export interface ManyVideos {
  channel: string;
  input: CrawlInput;
  /** Media bytes by external id. */
  bodies: Map<string, Buffer>;
  mediaPathOf(externalId: string): string;
}

/** A channel of `count` videos, each served at a pace so that transfers take a while. */
export function channelOfPacedVideos(
  server: FixtureServer,
  options: { prefix: string; count: number; size: number; secondsPerFile: number },
): ManyVideos {
  const channel = uniqueName(options.prefix);
  const bodies = new Map<string, Buffer>();
  const items = [];
  for (let i = 0; i < options.count; i++) {
    const externalId = `${channel}-v${i}`;
    const mediaPath = `/${channel}/v${i}.mp4`;
    const body = randomBytes(options.size);
    bodies.set(externalId, body);
    server.setMedia(mediaPath, {
      body,
      contentType: 'video/mp4',
      etag: `"v${i}"`,
      bytesPerSecond: options.size / options.secondsPerFile,
    });
    items.push({
      guid: externalId,
      title: `Video ${i}`,
      mediaUrl: server.url(mediaPath),
      mediaType: 'video/mp4',
      publishedAt: new Date(Date.UTC(2025, 0, i + 1)),
    });
  }
  server.setFeed(`/${channel}/feed.xml`, rssFeed(channel, items));
  return {
    channel,
    input: { channel, url: server.url(`/${channel}/feed.xml`), backfill: options.count },
    bodies,
    mediaPathOf: (externalId) => `/${channel}/${externalId.slice(channel.length + 1)}.mp4`,
  };
}
