import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseChannelList } from '../../src/config/channels.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { writeShowMetadata } from '../../src/sidecars/show.ts';
import { fixtureAndParker, mediaBytes, runCrawl, settledVideos, uniqueName } from '../helpers/parker.ts';

// Show-level metadata for media servers, with real downloads and files: season folders
// by year from the output template, tvshow.nfo in the channel's folder, and a poster
// from a thumbnail that never replaces one already there.

const { server, parker } = await fixtureAndParker();
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

describe('show metadata', () => {
  test('output "{channel}/Season {year}/…" with write: [nfo]: season folders by year, one tvshow.nfo per channel that parses', async () => {
    const name = uniqueName('show');
    const items: FeedItem[] = [2023, 2024, 2024].map((year, i) => {
      server.setMedia(`/${name}/ep${i}.mp3`, { body: mediaBytes(5_000), contentType: 'audio/mpeg' });
      return { guid: `${name}-${i}`, title: `Episode ${i}`, mediaUrl: server.url(`/${name}/ep${i}.mp3`), publishedAt: new Date(Date.UTC(year, 5, 1 + i)) };
    });
    server.setFeed(`/${name}/feed.xml`, rssFeed(`Tom & Jerry's <Show>`, items));
    const list = parseChannelList(
      `channels:\n  - name: ${name}\n    url: ${server.url(`/${name}/feed.xml`)}\n    output: "{channel}/Season {year}/{date} {title} [{id}].{ext}"\n    write: [nfo]\n`,
      'channels.yaml',
    );
    assert.deepEqual(list.problems, []);
    const channel = list.channels[0]!;
    await runCrawl(parker, { channel: name, url: channel.url, backfill: 3, download: channel.download });
    const videos = await settledVideos(parker.db, name);
    assert.ok(videos.every((video) => video.status === 'downloaded'));

    const show = path.join(parker.downloadDir, name);
    assert.deepEqual(readdirSync(show).sort(), ['Season 2023', 'Season 2024', 'tvshow.nfo']);
    assert.equal(readdirSync(path.join(show, 'Season 2024')).filter((file) => file.endsWith('.mp3')).length, 2);
    const nfo = readFileSync(path.join(show, 'tvshow.nfo'), 'utf8');
    assert.equal(XMLValidator.validate(nfo), true);
    const tvshow = (xml.parse(nfo) as { tvshow: Record<string, unknown> }).tvshow;
    assert.equal(tvshow.title, `Tom & Jerry's <Show>`, "the channel's title, escaped and read back");
    assert.equal(tvshow.studio, name);
    for (const video of videos) assert.ok(existsSync(video.filePath!.replace(/\.mp3$/, '.nfo')), 'episode NFOs as before');
  });

  test("a poster from the first thumbnail, once; a user's own poster is never replaced; nothing outside DOWNLOAD_DIR", async () => {
    const downloadDir = mkdtempSync(path.join(os.tmpdir(), 'parker-show-'));
    try {
      mkdirSync(path.join(downloadDir, 'chan', 'Season 2024'), { recursive: true });
      const thumbnail = path.join(downloadDir, 'chan', 'Season 2024', 'a.jpg');
      writeFileSync(thumbnail, 'first thumbnail');
      const fields = { title: 'Chan', channel: 'chan' };
      await writeShowMetadata(downloadDir, 'chan/Season 2024/a', fields, { nfo: false, thumbnail });
      assert.equal(readFileSync(path.join(downloadDir, 'chan', 'poster.jpg'), 'utf8'), 'first thumbnail');
      assert.ok(!existsSync(path.join(downloadDir, 'chan', 'tvshow.nfo')), 'no NFO unless asked');
      const second = path.join(downloadDir, 'chan', 'Season 2024', 'b.webp');
      writeFileSync(second, 'second thumbnail');
      await writeShowMetadata(downloadDir, 'chan/Season 2024/b', fields, { nfo: true, thumbnail: second });
      assert.equal(readFileSync(path.join(downloadDir, 'chan', 'poster.jpg'), 'utf8'), 'first thumbnail', 'kept');
      assert.ok(!existsSync(path.join(downloadDir, 'chan', 'poster.webp')), 'one poster per show');
      writeFileSync(path.join(downloadDir, 'chan', 'tvshow.nfo'), 'my own');
      await writeShowMetadata(downloadDir, 'chan/Season 2024/b', fields, { nfo: true });
      assert.equal(readFileSync(path.join(downloadDir, 'chan', 'tvshow.nfo'), 'utf8'), 'my own', "a user's NFO is kept");
      // A stem without a folder has no show folder: nothing is written at the top.
      await writeShowMetadata(downloadDir, 'loose', fields, { nfo: true, thumbnail });
      assert.ok(!existsSync(path.join(downloadDir, 'tvshow.nfo')));
      await assert.rejects(writeShowMetadata(downloadDir, '../escape/a', fields, { nfo: true }), /outside/);
      assert.ok(!existsSync(path.join(path.dirname(downloadDir), 'escape')));
    } finally {
      rmSync(downloadDir, { recursive: true, force: true });
    }
  });
});
