import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadSettings } from './config/settings.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { rssFeed, type FeedItem } from './demo/rss-feed.ts';
import { startDemoServer } from './demo/server.ts';
import { createLogger } from './log.ts';
import { runParker } from './main.ts';

// `npm run demo`: Parker following a podcast served on 127.0.0.1, offline. Three
// episodes land in DOWNLOAD_DIR/parker-demo within seconds; a new one is published
// every minute and picked up by the next crawl.

export const DEMO_CHANNEL = 'parker-demo';
const PREFERRED_PORT = 8399;
const NEW_EPISODE_EVERY_MS = 60_000;

/** Deterministic filler bytes: the demo is about files landing, not about listening. */
function episodeBytes(index: number, size = 1_500_000): Buffer {
  const chunks: Buffer[] = [];
  let block = createHash('sha256').update(`parker demo episode ${index}`).digest();
  for (let length = 0; length < size; length += block.length) {
    chunks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(chunks).subarray(0, size);
}

export async function runDemo(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings.logLevel, { format: settings.logFormat });
  const server = await startDemoServer(PREFERRED_PORT);
  const items: FeedItem[] = [];
  const publish = (index: number) => {
    const mediaPath = `/demo/episode-${index}.mp3`;
    server.publish(mediaPath, 'audio/mpeg', episodeBytes(index));
    items.unshift({
      guid: `parker-demo-${index}`,
      title: `Demo episode ${index}`,
      mediaUrl: server.url(mediaPath),
      publishedAt: new Date(Date.now() - (10 - index) * 1000),
    });
    server.publish('/demo/feed.xml', 'application/rss+xml; charset=utf-8', Buffer.from(rssFeed('Parker demo', items)));
  };
  for (let index = 1; index <= 3; index++) publish(index);
  let next = 4;
  const timer = setInterval(() => {
    publish(next);
    log.info(`demo: published episode ${next} on the demo feed`);
    next++;
  }, NEW_EPISODE_EVERY_MS);

  const configPath = path.join(settings.dataDir, 'demo', 'channels.yaml');
  mkdirSync(path.dirname(configPath), { recursive: true });
  writeFileSync(
    configPath,
    `# Written by \`npm run demo\`: one channel served by the demo server on 127.0.0.1.\n` +
      stringify({ defaults: { every: '1m', backfill: 3 }, channels: [{ name: DEMO_CHANNEL, url: server.url('/demo/feed.xml') }] }),
  );
  log.info(
    `demo: serving a podcast at ${server.url('/demo/feed.xml')}; downloads land in ${path.join(settings.downloadDir, DEMO_CHANNEL)}`,
  );
  try {
    // The demo channel lives on loopback, which Parker refuses by default.
    await runParker({ ...settings, configPath, allowPrivate: [...settings.allowPrivate, '127.0.0.1'] }, log);
  } finally {
    clearInterval(timer);
    await server.close();
  }
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker demo', runDemo);
