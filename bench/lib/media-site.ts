import { link, mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';

// The files a benchmark's nginx serves: media written once and hard-linked under several
// names (distinct URLs, one copy in RAM), and feeds listing them.

/** Writes `bytes` of random-looking data (a 16 MiB random block, repeated). */
export async function writeMediaFile(file: string, bytes: number): Promise<void> {
  const block = randomBytes(16 * 2 ** 20);
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < bytes; written += block.length) {
      await handle.write(block, 0, Math.min(block.length, bytes - written));
    }
  } finally {
    await handle.close();
  }
}

/**
 * A feed of `count` episodes under `root/<name>/`, all the same media file under their
 * own names; returns the feed's path on the server.
 */
export async function writeEpisodeFeed(root: string, name: string, count: number, bytes: number, origin: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  await writeMediaFile(path.join(dir, 'media.mp4'), bytes);
  const items: FeedItem[] = [];
  for (let i = 1; i <= count; i++) {
    await link(path.join(dir, 'media.mp4'), path.join(dir, `episode-${i}.mp4`));
    items.push({
      guid: `${name}-${i}`,
      title: `Episode ${i}`,
      mediaUrl: `${origin}/${name}/episode-${i}.mp4`,
      mediaType: 'video/mp4',
      length: bytes,
      publishedAt: new Date(Date.UTC(2025, 0, i)),
    });
  }
  await writeFile(path.join(dir, 'feed.xml'), rssFeed(name, items));
  return `/${name}/feed.xml`;
}
