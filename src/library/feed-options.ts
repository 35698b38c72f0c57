import { existsSync } from 'node:fs';
import { loadChannelList, type ChannelFeedOptions } from '../config/channels.ts';
import type { Logger } from '../log.ts';

// Each channel's `feed:` options from channels.yaml, read for every feed request, so an
// edit shows in the next refresh of a podcast app without a restart. A file that is
// missing or broken serves the feeds with no options rather than no feeds at all: the
// worker that schedules crawls says what is wrong with it.

export type FeedOptionsByChannel = ReadonlyMap<string, ChannelFeedOptions>;

export function channelFeedOptions(configPath: string, log: Logger): () => Promise<FeedOptionsByChannel> {
  return async () => {
    if (!existsSync(configPath)) return new Map();
    try {
      const list = await loadChannelList(configPath);
      return new Map(list.channels.flatMap((channel) => (channel.feed ? [[channel.name, channel.feed] as const] : [])));
    } catch (error) {
      log.warn({ err: error }, `podcast feeds: ${configPath} unreadable, feeds served without their feed: options`);
      return new Map();
    }
  };
}
