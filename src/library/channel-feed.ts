import path from 'node:path';
import type { ChannelFeedOptions } from '../config/channels.ts';
import type { Db } from '../db/connect.ts';
import { listLibraryVideos, type LibraryChannel, type LibraryVideo } from '../db/library.ts';
import { mediaTypeForFile } from '../naming/media-types.ts';
import type { LibraryUrls } from './library-urls.ts';
import { buildPodcastFeed, type PodcastEpisode } from './podcast-feed.ts';
import { servedFile, servedThumbnail } from './served-files.ts';

// A channel's podcast feed from the database and the download folder: every stored video
// whose file is there to be served is an episode; a row whose file is gone, outside the
// download folder or of a type no podcast app plays is left out.

export interface ChannelFeedDeps {
  db: Db;
  downloadDir: string;
}

async function episodeOf(downloadDir: string, video: LibraryVideo, channelTitle: string, urls: LibraryUrls, audioOnly: boolean): Promise<PodcastEpisode | undefined> {
  const file = await servedFile(downloadDir, video.filePath);
  if (!file) return undefined;
  const fileName = path.basename(file.absolute);
  const type = mediaTypeForFile(fileName, video.mediaType);
  if (!type || (audioOnly && !type.startsWith('audio/'))) return undefined;
  const thumbnail = await servedThumbnail(downloadDir, video.filePath);
  return {
    // The id the source gave the video: stable across crawls, renames and rebuilds.
    guid: video.externalId,
    title: video.title,
    description: video.description,
    author: video.uploader ?? channelTitle,
    link: video.url,
    publishedAt: video.publishedAt ?? video.downloadedAt ?? new Date(0),
    durationSeconds: video.durationSeconds,
    imageUrl: thumbnail ? urls.image(video.id, path.basename(thumbnail.absolute)) : undefined,
    enclosure: { url: urls.media(video.id, fileName), type, length: file.size },
  };
}

/** The feed document of one channel, its links under `urls`. */
export async function channelFeed(deps: ChannelFeedDeps, channel: LibraryChannel, options: ChannelFeedOptions, urls: LibraryUrls): Promise<string> {
  const title = channel.title ?? channel.name;
  const episodes: PodcastEpisode[] = [];
  for (const video of await listLibraryVideos(deps.db, channel.name)) {
    const episode = await episodeOf(deps.downloadDir, video, title, urls, options.audioOnly === true);
    if (episode) episodes.push(episode);
  }
  return buildPodcastFeed(
    {
      title,
      description: `${title}: every download of the channel ${channel.name}, served by Parker.`,
      author: title,
      link: channel.url,
      feedUrl: urls.feed(channel.name),
      // The newest episode's picture stands for the channel.
      imageUrl: episodes.find((episode) => episode.imageUrl)?.imageUrl,
    },
    episodes,
  );
}
