import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { listVideos } from '../../src/db/videos.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { MAX_FILENAME_BYTES } from '../../src/naming/safe-filename.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker, uniqueName } from '../helpers/parker.ts';

// Feeds written to hurt: huge, endless, malformed, repetitive, and full of names that try
// to escape the download folder. Each is handled without losing the good entries.

const { server, parker } = await fixtureAndParker();

function episode(guid: string, title: string, day: number, mediaPath: string): FeedItem {
  return { guid, title, mediaUrl: server.url(mediaPath), publishedAt: new Date(Date.UTC(2025, 0, day)) };
}

/** The crawl's failure as the Web UI shows it: the message at its root. */
async function crawlFailure(input: { channel: string; url: string; backfill: number }): Promise<string> {
  const error = await runCrawl(parker, input).then(
    () => assert.fail('the crawl was expected to fail'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof WorkflowFailedError);
  let cause: Error | undefined = error;
  while (cause?.cause instanceof Error) cause = cause.cause;
  return cause!.message;
}

describe('hostile feeds', () => {
  test('10,000 entries: all recorded, the backfill limit holds, the crawl finishes', { timeout: 120_000 }, async () => {
    const channel = uniqueName('huge');
    const mediaPath = `/${channel}/one.mp3`;
    server.setMedia(mediaPath, { body: mediaBytes(2000), contentType: 'audio/mpeg' });
    const items = Array.from({ length: 10_000 }, (_, i) =>
      episode(`${channel}-${i}`, `Episode ${i} with a title long enough to weigh something in JSON`, 1 + (i % 300), mediaPath),
    );
    server.setFeed(`/${channel}/feed.xml`, rssFeed(channel, items));
    const summary = await runCrawl(parker, { channel, url: server.url(`/${channel}/feed.xml`), backfill: 5 });
    assert.equal(summary.entries, 10_000);
    assert.equal(summary.new, 10_000);
    assert.equal(summary.started, 5);
    const videos = await settledVideos(parker.db, channel);
    assert.equal(videos.length, 10_000);
    assert.equal(videos.filter((video) => video.status === 'downloaded').length, 5);
  });

  test('a 50 MB feed is refused at the 20 MB cap, at once, naming the URL', { timeout: 60_000 }, async () => {
    const channel = uniqueName('fat');
    const filler = `<!-- ${'x'.repeat(1024 * 1024)} -->\n`;
    server.setFeed(`/${channel}/feed.xml`, `<?xml version="1.0"?><rss><channel>${filler.repeat(50)}</channel></rss>`);
    const url = server.url(`/${channel}/feed.xml`);
    const message = await crawlFailure({ channel, url, backfill: 1 });
    assert.match(message, /larger than the 20971520-byte limit for feeds/);
    assert.ok(message.includes(url));
    assert.equal(server.stats(`/${channel}/feed.xml`).requests, 1, 'not retried');
  });

  test('entity declarations ("billion laughs") are refused, not expanded', async () => {
    const channel = uniqueName('lol');
    const lol = '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">';
    server.setFeed(`/${channel}/feed.xml`, `<?xml version="1.0"?><!DOCTYPE rss [${lol}]><rss><channel><item><guid>a</guid><title>&lol3;</title></item></channel></rss>`);
    const message = await crawlFailure({ channel, url: server.url(`/${channel}/feed.xml`), backfill: 1 });
    assert.match(message, /declares XML entities/);
    assert.deepEqual(await listVideos(parker.db, channel), []);
  });

  test('invalid UTF-8, duplicate ids and missing fields: every good entry recorded once and downloaded', async () => {
    const channel = uniqueName('broken');
    const body = mediaBytes(3000);
    server.setMedia(`/${channel}/a.mp3`, { body, contentType: 'audio/mpeg' });
    server.setMedia(`/${channel}/b.mp3`, { body, contentType: 'audio/mpeg' });
    const url = (p: string) => server.url(`/${channel}/${p}`);
    const xml = Buffer.concat([
      Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x</title>
<item><guid>dup</guid><title>Bad bytes: `),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(` end</title><enclosure url="${url('a.mp3')}" type="audio/mpeg"/><pubDate>Wed, 01 Jan 2025 00:00:00 GMT</pubDate></item>
<item><guid>dup</guid><title>The same id again</title><enclosure url="${url('a.mp3')}" type="audio/mpeg"/></item>
<item><enclosure url="${url('b.mp3')}" type="audio/mpeg"/></item>
<item><title>Nothing to identify it by</title></item>
</channel></rss>`),
    ]);
    server.setMedia(`/${channel}/feed.xml`, { body: xml, contentType: 'application/rss+xml' });
    const summary = await runCrawl(parker, { channel, url: url('feed.xml'), backfill: 10 });
    assert.equal(summary.entries, 2, 'the duplicate is recorded once; the entry without any id is dropped');
    const videos = await settledVideos(parker.db, channel);
    assert.deepEqual(videos.map((video) => video.status), ['downloaded', 'downloaded']);
    const byId = new Map(videos.map((video) => [video.externalId, video]));
    assert.match(byId.get('dup')!.title, /^Bad bytes: \uFFFD+ end$/);
    assert.equal(byId.get(url('b.mp3'))!.title, 'untitled', 'no title, no guid: the media URL is the id');
  });

  test('hostile titles and ids: every file lands inside the channel folder, with a safe name', async () => {
    const channel = uniqueName('evil');
    const hostile = [
      ['../../../../etc/passwd', '../../x'],
      ['/', '/absolute'],
      ['nul\u0000byte', 'id\u0000nul'],
      ['new\nline\r\nfeed', 'a\nb'],
      ['right-to-left \u202Egnp.exe', '\u202Eexe.mp3'],
      ['é'.repeat(600), 'long'],
      ['CON', 'CON'],
      ['-rf --no-preserve-root', '-rf'],
      ["Robert'); DROP TABLE videos;--", "'; DELETE FROM videos; --"],
      ['setup.exe', 'x.exe'],
    ];
    const body = mediaBytes(1000);
    const items = hostile.map(([title, guid], i) => {
      const mediaPath = `/${channel}/m${i}.mp3`;
      server.setMedia(mediaPath, { body, contentType: 'audio/mpeg' });
      return episode(guid!, title!, i + 1, mediaPath);
    });
    server.setFeed(`/${channel}/feed.xml`, rssFeed(channel, items));
    await runCrawl(parker, { channel, url: server.url(`/${channel}/feed.xml`), backfill: 100 });
    const videos = await settledVideos(parker.db, channel);
    assert.equal(videos.length, hostile.length);
    const folder = path.join(parker.downloadDir, channel);
    for (const video of videos) {
      assert.equal(video.status, 'downloaded', `${JSON.stringify(video.externalId)}: ${video.reason}`);
      assert.equal(path.dirname(video.filePath!), folder, `${video.filePath} is directly in the channel folder`);
      const name = path.basename(video.filePath!);
      assert.ok(Buffer.byteLength(name) <= MAX_FILENAME_BYTES, `${name.length} bytes`);
      assert.doesNotMatch(name, /[\u0000-\u001f\u202a-\u202e\u2066-\u2069/\\]|\.\./);
      assert.match(name, /\.mp3$/, 'the extension comes from the allow-list');
      assert.equal(video.sha256, sha256(body));
    }
    assert.equal((await readdir(folder)).length, hostile.length);
    // Stored verbatim through bound parameters, and the table is still there.
    const sql = videos.find((video) => video.externalId === "'; DELETE FROM videos; --");
    assert.equal(sql?.title, "Robert'); DROP TABLE videos;--");
  });
});
