import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseChannelList } from '../../src/config/channels.ts';
import { loadSettings, SettingsError } from '../../src/config/settings.ts';
import { feedTokenMatches } from '../../src/library/feed-token.ts';
import { libraryUrls } from '../../src/library/library-urls.ts';
import { buildOpml } from '../../src/library/opml.ts';
import { buildPodcastFeed, itunesDuration } from '../../src/library/podcast-feed.ts';
import { xmlText } from '../../src/library/xml-text.ts';
import { mediaTypeForFile } from '../../src/naming/media-types.ts';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false });
const HOSTILE = 'A & B <c> "d" \'e\' ]]> \u0001\u0008\u000b\u001f\ud800 \ufffe\u202Eevil\u202C';
const CLEANED = 'A & B <c> "d" \'e\' ]]>  \u202Eevil\u202C';

function wellFormed(xml: string): Record<string, unknown> {
  assert.equal(XMLValidator.validate(xml), true, `not well-formed:\n${xml}`);
  return parser.parse(xml) as Record<string, unknown>;
}

describe('podcast feed document', () => {
  const channel = { title: HOSTILE, description: HOSTILE, author: HOSTILE, link: 'https://example.org/c?a=1&b=2', feedUrl: 'http://127.0.0.1:1/feeds/c.xml?token=t&x', imageUrl: 'http://127.0.0.1:1/images/1/a.jpg' };
  const episode = {
    guid: `id ${HOSTILE}`,
    title: HOSTILE,
    description: HOSTILE,
    author: HOSTILE,
    publishedAt: new Date('2024-03-01T10:00:00Z'),
    durationSeconds: 3725,
    enclosure: { url: 'http://127.0.0.1:1/media/1/a%20b.mp3?token=x&y', type: 'audio/mpeg', length: 1234 },
  };

  test('hostile text comes out escaped and cleaned; the iTunes tags are there', () => {
    const rss = (wellFormed(buildPodcastFeed(channel, [episode])) as { rss: { channel: Record<string, unknown> } }).rss.channel;
    assert.equal(rss.title, CLEANED);
    assert.equal(rss['itunes:author'], CLEANED);
    assert.deepEqual(rss['itunes:image'], { '@_href': channel.imageUrl });
    const item = rss.item as Record<string, unknown>;
    assert.equal(item.title, CLEANED);
    assert.deepEqual(item.guid, { '@_isPermaLink': 'false', '#text': `id ${CLEANED}` });
    assert.equal(item.pubDate, 'Fri, 01 Mar 2024 10:00:00 GMT');
    assert.equal(item['itunes:duration'], '01:02:05');
    assert.deepEqual(item.enclosure, { '@_url': episode.enclosure.url, '@_type': 'audio/mpeg', '@_length': '1234' });
  });

  test('no image and no episodes: still a feed', () => {
    const rss = (wellFormed(buildPodcastFeed({ ...channel, imageUrl: undefined }, [])) as { rss: { channel: Record<string, unknown> } }).rss.channel;
    assert.equal(rss['itunes:image'], undefined);
    assert.equal(rss.item, undefined);
  });

  test('itunes:duration as HH:MM:SS', () => {
    assert.equal(itunesDuration(0), '00:00:00');
    assert.equal(itunesDuration(59.6), '00:01:00');
    assert.equal(itunesDuration(36_000 * 3), '30:00:00');
  });

  test('OPML: one outline per feed, escaped', () => {
    const opml = wellFormed(buildOpml('Parker', [{ title: HOSTILE, xmlUrl: 'http://h/feeds/a.xml?token=a&b', htmlUrl: 'http://x/?a&b' }], new Date(0))) as {
      opml: { body: { outline: Record<string, string> } };
    };
    assert.equal(opml.opml.body.outline['@_text'], CLEANED);
    assert.equal(opml.opml.body.outline['@_xmlUrl'], 'http://h/feeds/a.xml?token=a&b');
  });

  test('xmlText keeps surrogate pairs (emoji) and drops lone halves', () => {
    assert.equal(xmlText('a\ud83d\ude00b\udc00c\ud800'), 'a\ud83d\ude00bc');
  });
});

describe('feed token', () => {
  test('only the exact token matches', () => {
    assert.equal(feedTokenMatches('secret-token-1234', 'secret-token-1234'), true);
    for (const given of ['', 'secret-token-123', 'secret-token-12345', 'SECRET-TOKEN-1234', undefined, ['secret-token-1234'], 42]) {
      assert.equal(feedTokenMatches(given, 'secret-token-1234'), false, JSON.stringify(given));
    }
  });
});

describe('library URLs', () => {
  test('encoded names, the token on every URL, one base without a trailing slash', () => {
    const urls = libraryUrls('https://p.example/parker/', 'a b');
    assert.equal(urls.feed('news'), 'https://p.example/parker/feeds/news.xml?token=a%20b');
    assert.equal(urls.media(7, '2024 a#b?c%.mp3'), 'https://p.example/parker/media/7/2024%20a%23b%3Fc%25.mp3?token=a%20b');
    assert.equal(libraryUrls('http://127.0.0.1:8080').opml(), 'http://127.0.0.1:8080/opml.xml');
  });
});

describe('mediaTypeForFile', () => {
  test('the declared type when it names the extension, else the usual one; nothing off the allow-list', () => {
    assert.equal(mediaTypeForFile('a.mp3'), 'audio/mpeg');
    assert.equal(mediaTypeForFile('a.M4A', 'audio/x-m4a'), 'audio/x-m4a');
    assert.equal(mediaTypeForFile('a.m4a', 'video/mp4'), 'audio/mp4');
    assert.equal(mediaTypeForFile('a.webm'), 'video/webm');
    assert.equal(mediaTypeForFile('a.webm', 'audio/webm; codecs=opus'), 'audio/webm');
    assert.equal(mediaTypeForFile('a.exe'), undefined);
    assert.equal(mediaTypeForFile('noext'), undefined);
  });
});

describe('feed settings', () => {
  test('feed: { public_url, audio_only } per channel', () => {
    const list = parseChannelList(
      'channels:\n  - name: a\n    url: https://e.org/a.xml\n    feed: { public_url: "https://p.example/x/", audio_only: true }\n  - name: b\n    url: https://e.org/b.xml\n',
      'c.yaml',
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.channels[0]!.feed, { publicUrl: 'https://p.example/x', audioOnly: true });
    assert.equal(list.channels[1]!.feed, undefined);
  });

  test('bad feed options name the field', () => {
    const list = parseChannelList('channels:\n  - name: a\n    url: https://e.org/a.xml\n    feed: { public_url: "ftp://x", audio_only: "yes", extra: 1 }\n', 'c.yaml');
    assert.match(list.problems[0]!.message, /feed\.public_url: must be an http/);
    assert.match(list.problems[0]!.message, /feed\.audio_only: must be true or false/);
    assert.match(list.problems[0]!.message, /unknown field "extra"/);
  });

  test('PARKER_HTTP_PORT turns the server on, on 127.0.0.1; another host needs PARKER_FEED_TOKEN', () => {
    assert.equal(loadSettings({}).libraryServer, undefined);
    assert.deepEqual(loadSettings({ PARKER_HTTP_PORT: '8080' }).libraryServer, { host: '127.0.0.1', port: 8080 });
    assert.throws(() => loadSettings({ PARKER_HTTP_PORT: '8080', PARKER_HTTP_HOST: '0.0.0.0' }), (error: unknown) => error instanceof SettingsError && /set PARKER_FEED_TOKEN/.test(error.message));
    const token = 'abcdefghijklmnop';
    assert.deepEqual(loadSettings({ PARKER_HTTP_PORT: '8080', PARKER_HTTP_HOST: '0.0.0.0', PARKER_FEED_TOKEN: token }).libraryServer, { host: '0.0.0.0', port: 8080, feedToken: token });
    assert.throws(() => loadSettings({ PARKER_HTTP_PORT: '8080', PARKER_FEED_TOKEN: 'short' }), /PARKER_FEED_TOKEN must be 16 to 200/);
    assert.throws(() => loadSettings({ PARKER_HTTP_PORT: '70000' }), /PARKER_HTTP_PORT must be between 1 and 65535/);
  });
});

describe('missing: in channels.yaml', () => {
  test('redownload or keep-record, per channel or as a default; absent when unset', () => {
    const list = parseChannelList(
      'defaults:\n  missing: redownload\nchannels:\n  - name: a\n    url: https://e.org/a.xml\n  - name: b\n    url: https://e.org/b.xml\n    missing: keep-record\n',
      'c.yaml',
    );
    assert.deepEqual(list.channels.map((channel) => channel.missing), ['redownload', 'keep-record']);
    assert.equal(parseChannelList('channels:\n  - name: a\n    url: https://e.org/a.xml\n', 'c.yaml').channels[0]!.missing, undefined);
    const bad = parseChannelList('channels:\n  - name: a\n    url: https://e.org/a.xml\n    missing: delete\n', 'c.yaml');
    assert.match(bad.problems[0]!.message, /channel "a": missing: must be redownload or keep-record/);
  });
});

describe('media_server: in channels.yaml', () => {
  test('servers parsed, secrets from a value or a file, names unique; every channel asks for the refresh', () => {
    const list = parseChannelList(
      'media_server:\n  - kind: jellyfin\n    url: http://127.0.0.1:8096/\n    api_key: k\n  - kind: plex\n    url: http://10.0.0.2:32400\n    token_file: secrets/plex\n    sections: [1, "2"]\n  - kind: jellyfin\n    url: http://h:1\n    api_key_file: /run/jf\nchannels:\n  - name: a\n    url: https://e.org/a.xml\n',
      '/etc/parker/channels.yaml',
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.mediaServers, [
      { kind: 'jellyfin', name: 'jellyfin', url: 'http://127.0.0.1:8096', secret: { value: 'k' } },
      { kind: 'plex', name: 'plex', url: 'http://10.0.0.2:32400', secret: { file: '/etc/parker/secrets/plex' }, sections: ['1', '2'] },
      { kind: 'jellyfin', name: 'jellyfin-2', url: 'http://h:1', secret: { file: '/run/jf' } },
    ]);
    assert.equal(list.channels[0]!.download?.mediaRefresh, true);
    assert.equal(parseChannelList('channels:\n  - name: a\n    url: https://e.org/a.xml\n', 'c.yaml').channels[0]!.download, undefined, 'no servers: nothing asked');
  });

  test('a bad server is reported by index and field; the channels still load', () => {
    const list = parseChannelList(
      'media_server:\n  - kind: kodi\n    url: http://x\n  - kind: plex\n    url: http://x\n    api_key: k\n  - kind: emby\n    url: ftp://x\n    api_key: k\n    token: t\nchannels:\n  - name: a\n    url: https://e.org/a.xml\n',
      'c.yaml',
    );
    assert.equal(list.mediaServers, undefined);
    assert.match(list.problems[0]!.message, /media_server\[0\]: kind: must be jellyfin, emby, plex/);
    assert.match(list.problems[1]!.message, /media_server\[1\]: token: plex needs exactly one of token and token_file; api_key: is not used by plex/);
    assert.match(list.problems[2]!.message, /media_server\[2\]: url: must be an http/);
    assert.equal(list.channels.length, 1);
  });
});

describe('output template {year}', () => {
  test('the UTC year of the date, for season folders', async () => {
    const { expandOutputTemplate, outputTemplateProblem } = await import('../../src/naming/output-template.ts');
    assert.equal(outputTemplateProblem('{channel}/Season {year}/{title}.{ext}'), undefined);
    assert.equal(expandOutputTemplate('{channel}/Season {year}/{title}.{ext}', { channel: 'c', title: 't', externalId: 'i', date: new Date('2024-12-31T23:30:00-02:00') }), 'c/Season 2025/t');
  });
});

describe('tvshow.nfo', () => {
  test('a <tvshow> document with hostile text escaped', async () => {
    const { buildTvShowNfo, showFolderOf } = await import('../../src/sidecars/show.ts');
    const document = buildTvShowNfo({ title: HOSTILE, channel: 'c' });
    const show = (wellFormed(document) as { tvshow: Record<string, unknown> }).tvshow;
    assert.equal(show.title, CLEANED);
    assert.equal(showFolderOf('c/Season 2024/x'), 'c');
    assert.equal(showFolderOf('x'), undefined);
  });
});
