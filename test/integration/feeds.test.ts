import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { recordListing } from '../../src/db/listing.ts';
import { listVideos, markDownloaded, type VideoRow } from '../../src/db/videos.ts';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { channelFeedOptions } from '../../src/library/feed-options.ts';
import { startLibraryServer, type RunningLibraryServer } from '../../src/library/server.ts';
import { createLogger } from '../../src/log.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { mediaBytes, runCrawl, settledVideos, startParker, testSettings, uniqueName, type TestParker } from '../helpers/parker.ts';
import { freePort } from '../helpers/ports.ts';
import { startWorkerProcess } from '../helpers/worker-process.ts';
import { services } from '../helpers/services.ts';

// Parker's podcast feeds, read by real clients over real HTTP on 127.0.0.1: gPodder's
// command-line client subscribes, updates and downloads; Python's feedparser checks the
// documents; Range, traversal and token requests go out as raw HTTP.

const run = promisify(execFile);
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
const TOKEN = 'feed-token-0123456789abcdef';
const log = createLogger('silent');

let server: FixtureServer;
let parker: TestParker;
let library: RunningLibraryServer;
let tokened: RunningLibraryServer;
let scratch: string;

/** A podcast channel downloaded in full through Parker: `items` as the fixture feed lists them. */
async function downloadedChannel(prefix: string, episodes: Array<{ title: string; duration?: string; contentType?: string; ext?: string }>) {
  const name = uniqueName(prefix);
  const items: FeedItem[] = episodes.map((episode, i) => {
    const mediaPath = `/${name}/ep${i}.${episode.ext ?? 'mp3'}`;
    server.setMedia(mediaPath, { body: mediaBytes(30_000 + i * 1000), contentType: episode.contentType ?? 'audio/mpeg' });
    return {
      guid: `${name}-ep${i}`,
      title: episode.title,
      mediaUrl: server.url(mediaPath),
      mediaType: episode.contentType ?? 'audio/mpeg',
      publishedAt: new Date(Date.UTC(2024, 2, 1 + i)),
      duration: episode.duration,
    };
  });
  server.setFeed(`/${name}/feed.xml`, rssFeed(`${name} & "friends" <live>`, items));
  await runCrawl(parker, { channel: name, url: server.url(`/${name}/feed.xml`), backfill: episodes.length });
  const videos = await settledVideos(parker.db, name);
  assert.ok(videos.every((video) => video.status === 'downloaded'), 'every episode downloaded');
  return { name, videos };
}

/** A GET (or another method) with the path sent exactly as written: no client normalises it. */
function rawRequest(base: string, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface FeedparserResult {
  bozo: boolean;
  bozo_exception?: string;
  feed: { title: string; author?: string; image?: string; link?: string };
  entries: Array<{ id: string; title: string; published?: string; duration?: string; enclosures: Array<{ href: string; length: string; type: string }> }>;
}

/** Python's feedparser on a document: whether it is flagged bozo, and what it read. */
async function feedparser(document: string): Promise<FeedparserResult> {
  const script = `
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
  "bozo": bool(d.bozo),
  "bozo_exception": str(d.get("bozo_exception", "")),
  "feed": {"title": d.feed.get("title"), "author": d.feed.get("author"), "image": (d.feed.get("image") or {}).get("href"), "link": d.feed.get("link")},
  "entries": [{"id": e.get("id"), "title": e.get("title"), "published": e.get("published"), "duration": e.get("itunes_duration"),
               "enclosures": [{"href": x.get("href"), "length": x.get("length"), "type": x.get("type")} for x in e.get("enclosures", [])]} for e in d.entries],
}))
`;
  const child = execFile(services.feedparserPython, ['-c', script], { maxBuffer: 16 << 20 });
  child.stdin!.end(document);
  const stdout = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: string) => (out += chunk));
    child.stderr!.on('data', (chunk: string) => (err += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`feedparser exited ${code}: ${err}`))));
  });
  return JSON.parse(stdout) as FeedparserResult;
}

/** gPodder's CLI with a home of its own (settings, database and downloads in `home`). */
function gpo(home: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, HOME: home, GPODDER_HOME: path.join(home, 'gpodder'), GPODDER_DOWNLOAD_DIR: path.join(home, 'downloads') };
  return run('gpo', args, { env, timeout: 60_000 }).then(({ stdout, stderr }) => `${stdout}${stderr}`);
}

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(folder, entry))
    .filter((file) => statSync(file).isFile())
    .sort();
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

before(async () => {
  server = await FixtureServer.start();
  parker = await startParker();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-feeds-'));
  const deps = { db: parker.db, downloadDir: parker.downloadDir, feedOptions: channelFeedOptions(parker.settings.configPath, log), log };
  library = await startLibraryServer(deps, { host: '127.0.0.1', port: 0 });
  tokened = await startLibraryServer({ ...deps, feedToken: TOKEN }, { host: '127.0.0.1', port: 0 });
});
after(async () => {
  await library?.close();
  await tokened?.close();
  await parker?.stop();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('podcast feeds', () => {
  test('gPodder subscribes, updates and downloads every episode; the bytes match the stored sha256', async () => {
    const { name, videos } = await downloadedChannel('gpo', [{ title: 'First', duration: '1:02:05' }, { title: 'Second', duration: '90' }]);
    const home = mkdtempSync(path.join(scratch, 'gpo-'));
    const feedUrl = `${library.url}/feeds/${name}.xml`;
    assert.match(await gpo(home, 'subscribe', feedUrl), /Successfully added/);
    assert.match(await gpo(home, 'update'), /2 new episodes/);
    const listed = await gpo(home, 'episodes', '--guid', feedUrl);
    for (const video of videos) assert.ok(listed.includes(video.externalId), `gpo lists the guid ${video.externalId}:\n${listed}`);
    assert.match(await gpo(home, 'download'), /2 episodes downloaded/);

    const downloaded = filesBelow(path.join(home, 'downloads'));
    assert.equal(downloaded.length, 2, `two files: ${downloaded.join(', ')}`);
    assert.deepEqual(
      downloaded.map((file) => sha256(readFileSync(file))).sort(),
      videos.map((video) => video.sha256).sort(),
      'what gPodder saved is byte for byte what Parker stored',
    );
  });

  test('feedparser reads it without a bozo flag: iTunes tags, stable guids, and titles with metacharacters, control characters and an RTL override', async () => {
    const hostile = [
      { title: 'Tom & Jerry <live> "quoted" \'single\' ]]> &amp;', duration: '3725' },
      { title: 'Right-to-left \u202Egnp.exe\u202C and \u200F marks', duration: '59' },
      { title: 'Controls here', duration: '0:42' },
    ];
    const { name, videos } = await downloadedChannel('hostile', hostile);
    // Control characters no listing XML can carry, as a yt-dlp listing can record them.
    const controlled = videos.find((video) => video.title === 'Controls here')!;
    await parker.db('videos').where({ id: controlled.id }).update({ title: 'Controls\u0001\u0008\u000b\u001f here\uffff', description: 'Bell\u0007 & <b>bold</b>' });
    // A thumbnail next to one file: the episode's image, and the channel's.
    const pictured = videos.find((video) => video.id !== controlled.id)!;
    const thumbnail = pictured.filePath!.replace(/\.mp3$/, '.jpg');
    writeFileSync(thumbnail, Buffer.from('ffd8ffe000104a464946', 'hex'));

    const response = await fetch(`${library.url}/feeds/${name}.xml`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^application\/rss\+xml/);
    const document = await response.text();
    const parsed = await feedparser(document);
    assert.equal(parsed.bozo, false, `feedparser flags the feed: ${parsed.bozo_exception}\n${document}`);
    assert.equal(parsed.feed.title, `${name} & "friends" <live>`);
    assert.equal(parsed.feed.author, `${name} & "friends" <live>`);
    assert.equal(parsed.feed.link, server.url(`/${name}/feed.xml`));
    assert.equal(parsed.entries.length, 3);

    const byGuid = new Map(parsed.entries.map((entry) => [entry.id, entry]));
    // The fixture feed's guids are `<name>-ep<index into hostile>`.
    const indexOf = (video: VideoRow) => Number(/-ep(\d+)$/.exec(video.externalId)![1]);
    const expectedTitle = (video: VideoRow) => (video.id === controlled.id ? 'Controls here' : hostile[indexOf(video)]!.title);
    const expectedDuration = ['01:02:05', '00:00:59', '00:00:42'];
    for (const video of videos) {
      const entry = byGuid.get(video.externalId);
      assert.ok(entry, `the guid is the video's id: ${video.externalId}`);
      assert.equal(entry.title, expectedTitle(video));
      assert.equal(entry.duration, expectedDuration[indexOf(video)]);
      assert.equal(new Date(entry.published!).toISOString(), video.publishedAt!.toISOString());
      assert.equal(entry.enclosures.length, 1);
      assert.equal(entry.enclosures[0]!.type, 'audio/mpeg');
      assert.equal(Number(entry.enclosures[0]!.length), video.bytes);
      const media = await fetch(entry.enclosures[0]!.href);
      assert.equal(media.status, 200);
      assert.equal(sha256(Buffer.from(await media.arrayBuffer())), video.sha256);
    }
    assert.ok(parsed.feed.image, 'the channel has an image');
    const image = await fetch(parsed.feed.image);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), readFileSync(thumbnail));

    const again = await (await fetch(`${library.url}/feeds/${name}.xml`)).text();
    assert.deepEqual(
      (await feedparser(again)).entries.map((entry) => entry.id),
      parsed.entries.map((entry) => entry.id),
      'the guids stay the same from one fetch to the next',
    );
  });

  test('the OPML file lists every channel, and gPodder imports it', async () => {
    const a = await downloadedChannel('opml-a', [{ title: 'A1' }]);
    const b = await downloadedChannel('opml-b', [{ title: 'B1' }]);
    const response = await fetch(`${library.url}/opml.xml`);
    assert.equal(response.status, 200);
    const opml = xml.parse(await response.text()) as { opml: { body: { outline: Array<Record<string, string>> } } };
    const outlines = opml.opml.body.outline;
    // Other test files share the database: every outline is a channel Parker knows, and
    // every channel known before the request has its outline.
    const known = (await parker.db('channels').select('name')).map((row: { name: string }) => `${library.url}/feeds/${encodeURIComponent(row.name)}.xml`);
    const listed = outlines.map((outline) => outline['@_xmlUrl']!);
    assert.equal(new Set(listed).size, listed.length, 'one outline per channel');
    for (const url of listed) assert.ok(known.includes(url), `${url} is a channel's feed`);
    for (const channel of [a.name, b.name]) assert.ok(listed.includes(`${library.url}/feeds/${channel}.xml`), `${channel} is listed`);
    assert.equal(outlines.find((outline) => outline['@_xmlUrl']!.includes(a.name))!['@_text'], `${a.name} & "friends" <live>`);
    const home = mkdtempSync(path.join(scratch, 'gpo-opml-'));
    await gpo(home, 'import', `${library.url}/opml.xml`);
    const subscribed = await gpo(home, 'list');
    for (const channel of [a.name, b.name]) assert.ok(subscribed.includes(`${library.url}/feeds/${channel}.xml`), `gPodder follows ${channel}:\n${subscribed}`);
  });

  test('Range: first bytes, a middle range, a suffix, HEAD; a range past the end is 416', async () => {
    const { videos } = await downloadedChannel('range', [{ title: 'Seekable' }]);
    const video = videos[0]!;
    const whole = readFileSync(video.filePath!);
    const href = `/media/${video.id}/${encodeURIComponent(path.basename(video.filePath!))}`;

    const first = await rawRequest(library.url, href, { Range: 'bytes=0-99' });
    assert.equal(first.status, 206);
    assert.equal(first.headers['content-range'], `bytes 0-99/${whole.length}`);
    assert.deepEqual(first.body, whole.subarray(0, 100));

    const middle = await rawRequest(library.url, href, { Range: 'bytes=10000-19999' });
    assert.equal(middle.status, 206);
    assert.equal(middle.headers['content-range'], `bytes 10000-19999/${whole.length}`);
    assert.deepEqual(middle.body, whole.subarray(10000, 20000));

    const suffix = await rawRequest(library.url, href, { Range: 'bytes=-500' });
    assert.equal(suffix.status, 206);
    assert.equal(suffix.headers['content-range'], `bytes ${whole.length - 500}-${whole.length - 1}/${whole.length}`);
    assert.deepEqual(suffix.body, whole.subarray(whole.length - 500));

    const full = await rawRequest(library.url, href);
    assert.equal(full.status, 200);
    assert.equal(full.headers['accept-ranges'], 'bytes');
    assert.equal(full.headers['content-type'], 'audio/mpeg');
    assert.deepEqual(full.body, whole);

    const head = await rawRequest(library.url, href, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(whole.length));
    assert.equal(head.body.length, 0);

    const past = await rawRequest(library.url, href, { Range: `bytes=${whole.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], `bytes */${whole.length}`);
  });

  test('refused with 404, nothing written: path traversal in every encoding, unknown channels and videos, rows and links that lead outside DOWNLOAD_DIR', async () => {
    const { name, videos } = await downloadedChannel('escape', [{ title: 'Inside' }]);
    const video = videos[0]!;
    const fileName = encodeURIComponent(path.basename(video.filePath!));
    // A row naming a file outside DOWNLOAD_DIR, and a link inside it that leads out.
    const outside = path.join(scratch, 'secret.mp3');
    writeFileSync(outside, 'not for the feed');
    const outsideId = `${name}-outside`;
    await recordListing(parker.db, { name, url: server.url(`/${name}/feed.xml`) }, { kind: 'rss', entries: [{ externalId: outsideId, title: 'Outside', mediaUrl: 'http://127.0.0.1/x.mp3' }] }, 0);
    await markDownloaded(parker.db, { channel: name, externalId: outsideId }, { filePath: outside, bytes: 16, sha256: '0'.repeat(64) });
    const linked = path.join(path.dirname(video.filePath!), 'linked [x].mp3');
    symlinkSync(outside, linked);
    const linkedId = `${name}-linked`;
    await recordListing(parker.db, { name, url: server.url(`/${name}/feed.xml`) }, { kind: 'rss', entries: [{ externalId: linkedId, title: 'Linked', mediaUrl: 'http://127.0.0.1/y.mp3' }] }, 0);
    await markDownloaded(parker.db, { channel: name, externalId: linkedId }, { filePath: linked, bytes: 16, sha256: '0'.repeat(64) });
    const rows = await listVideos(parker.db, name);
    const idOf = (externalId: string) => rows.find((row: VideoRow) => row.externalId === externalId)!.id;
    const before = { files: filesBelow(parker.downloadDir), rows: JSON.stringify(rows) };

    const parsed = await feedparser(await (await fetch(`${library.url}/feeds/${name}.xml`)).text());
    assert.deepEqual(parsed.entries.map((entry) => entry.id), [video.externalId], 'only the file inside DOWNLOAD_DIR is an episode');

    const refused = [
      '/media/../../etc/passwd',
      '/media/../../../../../../etc/passwd',
      '/media/%2e%2e/%2e%2e/etc/passwd',
      '/media/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd/x',
      '/media/..%2f..%2fetc%2fpasswd/x',
      '/media/%252e%252e%252fetc%252fpasswd/x',
      '/media/..%5c..%5cetc%5cpasswd/x',
      `/media/${video.id}/..%2f..%2f..%2f..%2fetc%2fpasswd`,
      `/media/${video.id}/%2e%2e`,
      `/media/${video.id}/${fileName}%00.jpg`,
      `/media/${video.id}/other.mp3`,
      `/media/${video.id}%2f..%2f1/${fileName}`,
      `/media/-1/${fileName}`,
      `/media/0x${video.id.toString(16)}/${fileName}`,
      `/media/99999999/${fileName}`,
      `/media/${idOf(outsideId)}/secret.mp3`,
      `/media/${idOf(linkedId)}/${encodeURIComponent('linked [x].mp3')}`,
      `/media/${idOf(linkedId)}/secret.mp3`,
      `/images/${video.id}/..%2f..%2fetc%2fpasswd`,
      '/etc/passwd',
      '/feeds/../../etc/passwd',
      '/feeds/%2e%2e%2f%2e%2e%2fetc%2fpasswd.xml',
      '/feeds/no-such-channel.xml',
      `/feeds/${name}`,
      `/feeds/${name}.rss`,
      '//etc/passwd',
    ];
    for (const rawPath of refused) {
      const response = await rawRequest(library.url, rawPath);
      assert.equal(response.status, 404, `${rawPath} is refused with 404`);
      assert.ok(!response.body.toString('latin1').includes('root:'), `${rawPath} leaks nothing`);
      assert.ok(!response.body.toString('latin1').includes('not for the feed'), `${rawPath} leaks nothing from outside`);
    }
    assert.deepEqual(filesBelow(parker.downloadDir), before.files, 'no file written or removed');
    assert.equal(JSON.stringify(await listVideos(parker.db, name)), before.rows, 'no row changed');
  });

  test('PARKER_FEED_TOKEN: a missing or wrong token is 401 everywhere; the right one opens feeds, OPML and media, and every link carries it', async () => {
    const { name, videos } = await downloadedChannel('token', [{ title: 'Private' }]);
    const media = `/media/${videos[0]!.id}/${encodeURIComponent(path.basename(videos[0]!.filePath!))}`;
    const wrong = ['', '?token=', '?token=wrong', `?token=${TOKEN.slice(0, -1)}`, `?token=${TOKEN}x`, `?token=${TOKEN.toUpperCase()}`, `?token=${TOKEN}&token=${TOKEN}`];
    for (const target of [`/feeds/${name}.xml`, '/opml.xml', media, '/feeds/no-such-channel.xml', '/media/../../etc/passwd']) {
      for (const query of wrong) {
        const response = await rawRequest(tokened.url, `${target}${query}`);
        assert.equal(response.status, 401, `${target}${query} needs the token`);
      }
    }
    const feed = await rawRequest(tokened.url, `/feeds/${name}.xml?token=${TOKEN}`);
    assert.equal(feed.status, 200);
    const parsed = await feedparser(feed.body.toString('utf8'));
    assert.equal(parsed.bozo, false);
    const enclosure = new URL(parsed.entries[0]!.enclosures[0]!.href);
    assert.equal(enclosure.searchParams.get('token'), TOKEN, 'the enclosure carries the token');
    const file = await fetch(enclosure);
    assert.equal(file.status, 200);
    assert.equal(sha256(Buffer.from(await file.arrayBuffer())), videos[0]!.sha256);
    const opml = await rawRequest(tokened.url, `/opml.xml?token=${TOKEN}`);
    assert.equal(opml.status, 200);
    assert.ok(opml.body.toString('utf8').includes(`/feeds/${name}.xml?token=${TOKEN}`), 'the OPML links carry the token');
    assert.equal((await rawRequest(tokened.url, `/feeds/no-such-channel.xml?token=${TOKEN}`)).status, 404, 'an unknown channel is 404 with the right token');
    // gPodder follows a tokened feed and downloads through it.
    const home = mkdtempSync(path.join(scratch, 'gpo-token-'));
    await gpo(home, 'subscribe', `${tokened.url}/feeds/${name}.xml?token=${TOKEN}`);
    await gpo(home, 'update');
    assert.match(await gpo(home, 'download'), /1 episodes? downloaded/);
    assert.deepEqual(filesBelow(path.join(home, 'downloads')).map((saved) => sha256(readFileSync(saved))), [videos[0]!.sha256]);
  });

  test('feed: { public_url, audio_only } in channels.yaml: links under the public address, audio episodes only', async () => {
    const { name, videos } = await downloadedChannel('options', [
      { title: 'Audio', contentType: 'audio/mpeg', ext: 'mp3' },
      { title: 'Video', contentType: 'video/mp4', ext: 'mp4' },
    ]);
    const plain = await feedparser(await (await fetch(`${library.url}/feeds/${name}.xml`)).text());
    assert.deepEqual(plain.entries.map((entry) => entry.enclosures[0]!.type).sort(), ['audio/mpeg', 'video/mp4'], 'without options: every episode');

    writeFileSync(
      parker.settings.configPath,
      `channels:\n  - name: ${name}\n    url: ${server.url(`/${name}/feed.xml`)}\n    feed: { public_url: "https://podcasts.example.net/parker/", audio_only: true }\n`,
    );
    const parsed = await feedparser(await (await fetch(`${library.url}/feeds/${name}.xml`)).text());
    assert.equal(parsed.bozo, false);
    const audio = videos.find((video) => video.filePath!.endsWith('.mp3'))!;
    assert.deepEqual(parsed.entries.map((entry) => entry.id), [audio.externalId], 'audio_only: the mp4 is left out');
    assert.equal(
      parsed.entries[0]!.enclosures[0]!.href,
      `https://podcasts.example.net/parker/media/${audio.id}/${encodeURIComponent(path.basename(audio.filePath!))}`,
    );
    const opml = await (await fetch(`${library.url}/opml.xml`)).text();
    assert.ok(opml.includes(`https://podcasts.example.net/parker/feeds/${name}.xml`), 'the OPML names the public address too');
  });

  test('the worker (`npm run worker`) serves the feeds when PARKER_HTTP_PORT is set, on 127.0.0.1, with PARKER_FEED_TOKEN', async () => {
    const { name } = await downloadedChannel('worker', [{ title: 'Served by the worker' }]);
    const port = await freePort();
    const settings = testSettings(mkdtempSync(path.join(scratch, 'worker-')), { downloadDir: parker.downloadDir });
    const worker = await startWorkerProcess(settings, 60_000, { PARKER_HTTP_PORT: String(port), PARKER_FEED_TOKEN: TOKEN });
    try {
      assert.match(worker.output(), /podcast feeds: http:\/\/127\.0\.0\.1:\d+\/opml\.xml/);
      assert.ok(!worker.output().includes(TOKEN), 'the token is never logged');
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await rawRequest(base, '/opml.xml')).status, 401);
      const feed = await rawRequest(base, `/feeds/${name}.xml?token=${TOKEN}`);
      assert.equal(feed.status, 200);
      assert.equal((await feedparser(feed.body.toString('utf8'))).entries[0]!.title, 'Served by the worker');
    } finally {
      await worker.kill('SIGTERM');
    }
  });
});
