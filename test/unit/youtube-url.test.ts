import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  channelIdFromPage,
  expandBareChannelId,
  feedUrlFor,
  fullListingUrlFor,
  isYoutubeUrl,
  parseYoutubeUrl,
  watchUrlFor,
} from '../../src/sources/youtube-url.ts';

const ID = 'UCabcdefghijklmnopqrstuv';
const BASE = 'https://www.youtube.com';

describe('YouTube channel addresses', () => {
  const cases: Array<[string, ReturnType<typeof parseYoutubeUrl>]> = [
    [`https://www.youtube.com/@SomeHandle`, { kind: 'page', path: '/@SomeHandle' }],
    [`https://www.youtube.com/@SomeHandle/videos`, { kind: 'page', path: '/@SomeHandle' }],
    [`https://m.youtube.com/c/Custom%20Name`, { kind: 'page', path: '/c/Custom%20Name' }],
    [`https://youtube.com/user/oldname`, { kind: 'page', path: '/user/oldname' }],
    [`https://www.youtube.com/channel/${ID}`, { kind: 'channel', channelId: ID }],
    [`https://www.youtube.com/channel/${ID}/featured`, { kind: 'channel', channelId: ID }],
    [`https://www.youtube.com/playlist?list=PL0123456789abcdef`, { kind: 'playlist', playlistId: 'PL0123456789abcdef' }],
    [`https://www.youtube.com/watch?v=abcdefghijk&list=PL0123456789abcdef`, { kind: 'playlist', playlistId: 'PL0123456789abcdef' }],
    [`https://www.youtube.com/feeds/videos.xml?channel_id=${ID}`, { kind: 'channel', channelId: ID }],
    [`https://www.youtube.com/watch?v=abcdefghijk`, undefined],
    [`https://www.youtube.com/channel/not-an-id`, undefined],
  ];
  for (const [url, expected] of cases) {
    test(url, () => assert.deepEqual(parseYoutubeUrl(new URL(url)), expected));
  }

  test('a bare channel id becomes its channel URL; other text is left alone', () => {
    assert.equal(expandBareChannelId(ID), `${BASE}/channel/${ID}`);
    assert.equal(expandBareChannelId('https://x.test/feed'), 'https://x.test/feed');
  });

  test('YouTube is its hosts or the configured base', () => {
    assert.equal(isYoutubeUrl(new URL('https://music.youtube.com/channel/x'), BASE), true);
    assert.equal(isYoutubeUrl(new URL('http://127.0.0.1:9/@x'), 'http://127.0.0.1:9'), true);
    assert.equal(isYoutubeUrl(new URL('https://notyoutube.com/@x'), BASE), false);
  });

  test('feeds and watch pages live on the base URL', () => {
    assert.equal(feedUrlFor('http://127.0.0.1:9', { channelId: ID }), `http://127.0.0.1:9/feeds/videos.xml?channel_id=${ID}`);
    assert.equal(feedUrlFor(BASE, { playlistId: 'PLx0123456789' }), `${BASE}/feeds/videos.xml?playlist_id=PLx0123456789`);
    assert.equal(watchUrlFor(BASE, 'a-b_c'), `${BASE}/watch?v=a-b_c`);
  });
});

describe('fullListingUrlFor', () => {
  test("a channel's backfill lists its uploads playlist: UU for UC", () => {
    assert.equal(fullListingUrlFor(BASE, { channelId: ID }), `${BASE}/playlist?list=UU${ID.slice(2)}`);
  });
  test('a playlist is listed as itself, on the base URL', () => {
    assert.equal(fullListingUrlFor('http://127.0.0.1:9', { playlistId: 'PLx0123456789' }), 'http://127.0.0.1:9/playlist?list=PLx0123456789');
  });
});

describe('channelIdFromPage', () => {
  const other = 'UCzzzzzzzzzzzzzzzzzzzzzz';
  test('the canonical link wins over ids of other channels on the page', () => {
    const html = `<script>var x = {"channelId":"${other}"}</script><link rel="canonical" href="https://www.youtube.com/channel/${ID}">`;
    assert.equal(channelIdFromPage(html), ID);
  });
  test('the channelId meta, then externalId, then any channelId', () => {
    assert.equal(channelIdFromPage(`<meta itemprop="channelId" content="${ID}">`), ID);
    assert.equal(channelIdFromPage(`{"channelId":"${other}","externalId":"${ID}"}`), ID);
    assert.equal(channelIdFromPage(`{"channelId":"${ID}"}`), ID);
  });
  test('a page without one (a consent wall) has none', () => {
    assert.equal(channelIdFromPage('<html><form action="https://consent.youtube.com/save"></form></html>'), undefined);
  });
});
