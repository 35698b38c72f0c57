import { rssFeed } from '../../src/fixture/feeds.ts';
import type { FixtureServer, MediaFile, Fault } from '../../src/fixture/server.ts';
import type { CrawlInput } from '../../src/shared/types.ts';
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
