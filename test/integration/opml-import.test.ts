import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parseChannelList } from '../../src/config/channels.ts';
import { rssFeed } from '../../src/demo/rss-feed.ts';
import { importOpml, importOpmlFile, OpmlImportError } from '../../src/library/opml-import.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';

// OPML import into channels.yaml: an OPML file exported by the real gPodder (`gpo
// export`) after subscribing to feeds on 127.0.0.1, and a hand-made one with what other
// apps write (categories, entities, odd URLs). The channel list keeps its comments.

const run = promisify(execFile);
let server: FixtureServer;
let scratch: string;

before(async () => {
  server = await FixtureServer.start();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-opml-'));
});
after(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const HAND_WRITTEN = `# My channels. Edited by hand; keep this comment.
defaults:
  every: 1h # not too often

channels:
  # the one I had before
  - name: old-favourite
    url: ${'{old}'}
    keep: { last: 5 } # trailing comment
`;

function gpo(home: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, HOME: home, GPODDER_HOME: path.join(home, 'gpodder'), GPODDER_DOWNLOAD_DIR: path.join(home, 'downloads') };
  return run('gpo', args, { env, timeout: 60_000 }).then(({ stdout, stderr }) => `${stdout}${stderr}`);
}

describe('OPML import', () => {
  test("gPodder's own export: every feed added once, names from titles, comments and the existing entry kept; a second import changes nothing", async () => {
    const feeds = [
      { path: '/tom/feed.xml', title: "Tom & Jerry's <Show>" },
      { path: '/unicode/feed.xml', title: 'Ünïcödé Cäst: Épisodes' },
      { path: '/old/feed.xml', title: 'Old Favourite' },
      { path: '/same/feed.xml', title: "Tom & Jerry's <Show>" },
    ];
    for (const feed of feeds) {
      server.setFeed(feed.path, rssFeed(feed.title, [{ guid: `${feed.path}-1`, title: 'One', mediaUrl: server.url('/x.mp3'), publishedAt: new Date(Date.UTC(2024, 0, 1)) }]));
    }
    const home = mkdtempSync(path.join(scratch, 'gpo-'));
    for (const feed of feeds) assert.match(await gpo(home, 'subscribe', server.url(feed.path)), /Successfully added/);
    const opmlFile = path.join(scratch, 'gpodder-export.opml');
    await gpo(home, 'export', opmlFile);
    const exported = readFileSync(opmlFile, 'utf8');
    for (const feed of feeds) assert.ok(exported.includes(server.url(feed.path)), `gPodder exported ${feed.path}`);

    const configFile = path.join(scratch, 'channels.yaml');
    const before = HAND_WRITTEN.replace('{old}', server.url('/old/feed.xml'));
    writeFileSync(configFile, before);
    // Through the command a person runs.
    await run(process.execPath, ['--import', 'tsx', 'src/channels-import.ts', opmlFile], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, PARKER_CONFIG: configFile, LOG_LEVEL: 'info' },
    });
    const after = readFileSync(configFile, 'utf8');
    for (const line of before.split('\n').filter(Boolean)) assert.ok(after.includes(line), `kept as written: ${line}\n---\n${after}`);
    assert.match(after, new RegExp(`# imported from ${opmlFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} on \\d{4}-\\d{2}-\\d{2}`));

    const list = parseChannelList(after, configFile);
    assert.deepEqual(list.problems, [], 'Parker reads every new entry');
    assert.deepEqual(
      list.channels.map((channel) => [channel.name, channel.url]),
      [
        ['old-favourite', server.url('/old/feed.xml')],
        ...[
          ['tom-jerry-s-show', server.url('/tom/feed.xml')],
          ['unicode-cast-episodes', server.url('/unicode/feed.xml')],
          ['tom-jerry-s-show-2', server.url('/same/feed.xml')],
        ].sort((a, b) => exported.indexOf(a[1]!) - exported.indexOf(b[1]!)),
      ],
      'the old entry first, then the new ones in the order gPodder wrote them, one name each',
    );
    assert.deepEqual(list.channels[0]!.keep, { last: 5 });

    const again = await importOpmlFile(opmlFile, configFile);
    assert.deepEqual(again.added, []);
    assert.equal(again.skipped.length, 4);
    assert.ok(again.skipped.every((outline) => outline.reason === 'already in the channel list'));
    assert.equal(readFileSync(configFile, 'utf8'), after, 'nothing written when nothing is added');
  });

  test('what other apps write: categories, entities, odd and repeated URLs; a new channel list when there is none', async () => {
    const opml = `<?xml version="1.0" encoding="utf-8"?>
<opml version="1.0">
  <head><title>Podcasts &amp; more</title></head>
  <body>
    <outline text="News">
      <outline type="rss" text="Daily &amp; Weekly &#8211; News" xmlUrl="https://example.org/news.xml?a=1&amp;b=2" htmlUrl="https://example.org/"/>
      <outline type="rss" text="Tech" xmlUrl="HTTPS://Example.org/news.xml?a=1&amp;b=2#top"/>
    </outline>
    <outline text="Elsewhere" xmlUrl="ftp://example.org/feed.xml"/>
    <outline text="Local" xmlUrl="file:///etc/passwd"/>
    <outline title="" text="" xmlUrl="https://podcasts.example.net/untitled.rss"/>
    <outline text="A folder without feeds"><outline text="empty"/></outline>
  </body>
</opml>`;
    const opmlFile = path.join(scratch, 'others.opml');
    writeFileSync(opmlFile, opml);
    const configFile = path.join(scratch, 'fresh', 'channels.yaml');
    mkdirSync(path.dirname(configFile));
    const result = await importOpmlFile(opmlFile, configFile);
    assert.deepEqual(result.added, [
      { name: 'daily-weekly-news', url: 'https://example.org/news.xml?a=1&b=2' },
      { name: 'podcasts-example-net', url: 'https://podcasts.example.net/untitled.rss' },
    ]);
    assert.deepEqual(
      result.skipped.map((outline) => [outline.url, outline.reason]),
      [
        ['HTTPS://Example.org/news.xml?a=1&b=2#top', 'already in the channel list'],
        ['ftp://example.org/feed.xml', 'not an http:// or https:// URL'],
        ['file:///etc/passwd', 'not an http:// or https:// URL'],
      ],
    );
    const written = readFileSync(configFile, 'utf8');
    assert.match(written, /^# Parker's channel list/);
    assert.match(written, /^channels:\n {2}# imported from /m, 'entries in block style, one per line');
    assert.deepEqual(parseChannelList(written, configFile).problems, []);
  });

  test('refused whole, naming the file: a DOCTYPE with entities, not OPML, a channel list that is not YAML', () => {
    const yaml = 'channels: []\n';
    assert.throws(
      () => importOpml('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x "y">]><opml><body/></opml>', 'bad.opml', yaml, 'c.yaml'),
      (error: unknown) => error instanceof OpmlImportError && /bad\.opml: declares a DOCTYPE/.test(error.message),
    );
    assert.throws(() => importOpml('<rss><channel/></rss>', 'feed.xml', yaml, 'c.yaml'), /feed\.xml: not an OPML file/);
    assert.throws(() => importOpml('<opml><body/></opml>', 'a.opml', 'channels: [\n', 'c.yaml'), /c\.yaml: not valid YAML/);
    assert.throws(() => importOpml('<opml><body/></opml>', 'a.opml', 'channels: nope\n', 'c.yaml'), /c\.yaml: channels: must be a list/);
  });
});
