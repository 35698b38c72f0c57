import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { rssFeed, type FeedItem } from '../../src/demo/rss-feed.ts';
import { serveYoutubeChannel } from '../helpers/fixture-youtube.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker, uniqueName } from '../helpers/parker.ts';

// Output templates and sidecars end to end: real Temporal, real MariaDB, real files, the
// fixture server on 127.0.0.1, and the real yt-dlp for the YouTube channel.

const { server, parker } = await fixtureAndParker((fixture) => ({ youtubeBaseUrl: fixture.origin }));

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

/** The NFO next to a media file, checked well-formed and parsed. */
async function nfoNextTo(filePath: string): Promise<Record<string, unknown>> {
  const nfoPath = `${filePath.slice(0, -path.extname(filePath).length)}.nfo`;
  const text = await readFile(nfoPath, 'utf8');
  assert.equal(XMLValidator.validate(text), true, `${nfoPath} is not well-formed:\n${text}`);
  return (xml.parse(text) as { episodedetails: Record<string, unknown> }).episodedetails;
}

/** Every file under a folder, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe('output template and sidecars', () => {
  test('files land where the template says, a name two videos share gets a counter, and each gets its NFO', async () => {
    const channel = uniqueName('tpl');
    const uploader = `Ann <&> "Bo" ${channel}`;
    const day = new Date(Date.UTC(2025, 3, 7));
    const bodies = new Map<string, Buffer>();
    const items: FeedItem[] = ['a', 'b', 'c'].map((suffix, i) => {
      const mediaPath = `/${channel}/${suffix}.mp3`;
      const body = mediaBytes(40_000 + i);
      bodies.set(`${channel}-${suffix}`, body);
      server.setMedia(mediaPath, { body, contentType: 'audio/mpeg', etag: `"${suffix}"` });
      return {
        guid: `${channel}-${suffix}`,
        // a and b share a title and a day: without {id}, the template gives them one name.
        title: suffix === 'c' ? '../../escape </title> & "more"' : 'Same title',
        mediaUrl: server.url(mediaPath),
        publishedAt: day,
        author: uploader,
        description: `Plot of ${suffix}: <b>bold</b> & ]]> \u0001`,
      };
    });
    server.setFeed(`/${channel}/feed.xml`, rssFeed(channel, items));

    const summary = await runCrawl(parker, {
      channel,
      url: server.url(`/${channel}/feed.xml`),
      backfill: 10,
      download: { output: '{uploader}/{date}/{title}.{ext}', write: ['nfo'] },
    });
    assert.equal(summary.started, 3);
    const videos = await settledVideos(parker.db, channel);
    const folder = `Ann _&_ _Bo_ ${channel}/2025-04-07`;
    for (const video of videos) assert.equal(video.status, 'downloaded', video.reason);

    // Everything that is left is the media and its NFO, and the show's tvshow.nfo in the
    // template's first folder; no part, work folder or temp file.
    const all = (await filesUnder(parker.downloadDir)).filter((f) => f.startsWith(`Ann _&_ _Bo_ ${channel}/`));
    assert.deepEqual(all, [
      `${folder}/Same title (2).mp3`,
      `${folder}/Same title (2).nfo`,
      `${folder}/Same title.mp3`,
      `${folder}/Same title.nfo`,
      `${folder}/_._escape __title_ & _more_.mp3`,
      `${folder}/_._escape __title_ & _more_.nfo`,
      `Ann _&_ _Bo_ ${channel}/tvshow.nfo`,
    ]);

    for (const video of videos) {
      assert.ok(video.filePath!.startsWith(path.join(parker.downloadDir, folder) + path.sep), video.filePath);
      assert.equal(sha256(await readFile(video.filePath!)), sha256(bodies.get(video.externalId)!), 'each file has its own bytes');
      const nfo = await nfoNextTo(video.filePath!);
      const suffix = video.externalId.slice(-1);
      assert.equal(nfo.title, items.find((item) => item.guid === video.externalId)!.title);
      assert.equal(nfo.plot, `Plot of ${suffix}: <b>bold</b> & ]]>`, 'escaped going in, the same text coming out');
      assert.equal(nfo.aired, '2025-04-07');
      assert.equal(nfo.studio, channel);
      assert.equal(nfo.director, uploader);
      assert.deepEqual(nfo.uniqueid, { '#text': video.externalId, '@_type': 'parker', '@_default': 'true' });
    }
    // The counter went to whichever resolved second; both names are taken, by different videos.
    assert.equal(new Set(videos.map((v) => v.filePath)).size, 3);
  });

  test('the real yt-dlp writes info.json next to the media, and the NFO takes the feed\'s description', async () => {
    const name = uniqueName('side');
    const videoId = `${name.slice(-8)}-i1`;
    const body = mediaBytes(120_000);
    const channelId = `UC${name.replace(/[^A-Za-z0-9]/g, '').padEnd(22, '0').slice(0, 22)}`;
    const handle = `h${name.replace(/-/g, '')}`;
    serveYoutubeChannel(server, {
      channelId,
      handle,
      title: `Side Channel ${name}`,
      videos: [{ id: videoId, title: 'Clip: one/two', publishedAt: new Date(Date.UTC(2025, 4, 2)), body, description: 'What the clip is about' }],
    });

    await runCrawl(parker, {
      channel: name,
      url: `https://www.youtube.com/@${handle}`,
      backfill: 5,
      download: { output: '{channel}/{uploader}/{title} [{id}].{ext}', write: ['info_json', 'nfo'] },
    });
    const [video] = await settledVideos(parker.db, name);
    assert.equal(video?.status, 'downloaded', video?.reason);
    assert.equal(video.uploader, `Side Channel ${name}`, 'the feed\'s author is recorded');
    const stem = path.join(parker.downloadDir, name, `Side Channel ${name}`, `Clip_ one_two [${videoId}]`);
    assert.equal(video.filePath, `${stem}.mp4`);
    assert.equal(sha256(await readFile(video.filePath!)), sha256(body));

    const info = JSON.parse(await readFile(`${stem}.info.json`, 'utf8')) as Record<string, unknown>;
    assert.equal(info.webpage_url, `${server.origin}/watch?v=${videoId}`, 'yt-dlp\'s own info about the URL it downloaded');
    assert.equal(info.ext, 'mp4');

    const nfo = await nfoNextTo(video.filePath!);
    assert.equal(nfo.title, 'Clip: one/two');
    assert.equal(nfo.plot, 'What the clip is about');
    assert.equal(nfo.aired, '2025-05-02');
    assert.equal(nfo.studio, name);

    assert.deepEqual(await filesUnder(path.join(parker.downloadDir, name)), [
      `Side Channel ${name}/Clip_ one_two [${videoId}].info.json`,
      `Side Channel ${name}/Clip_ one_two [${videoId}].mp4`,
      `Side Channel ${name}/Clip_ one_two [${videoId}].nfo`,
      'tvshow.nfo',
    ]);
  });

  test('the real yt-dlp fetches the thumbnail and the chosen subtitle languages from a video page; they land with the stem', async () => {
    const name = uniqueName('subs');
    const videoId = `${name.slice(-8)}-v1`;
    const channelId = `UC${name.replace(/[^A-Za-z0-9]/g, '').padEnd(22, '0').slice(0, 22)}`;
    const handle = `h${name.replace(/-/g, '')}`;
    const body = mediaBytes(90_000);
    serveYoutubeChannel(server, {
      channelId,
      handle,
      title: 'Subs channel',
      videos: [{ id: videoId, title: 'With subs', publishedAt: new Date(Date.UTC(2025, 5, 3)), body }],
    });
    // The watch page becomes an HTML5 page with a poster and subtitle tracks, which yt-dlp's
    // generic extractor reads as the video's thumbnail and subtitles.
    const base = `/${name}`;
    const vtt = (text: string) => Buffer.from(`WEBVTT\n\n00:00.000 --> 00:01.000\n${text}\n`);
    server.setMedia(`${base}/clip.mp4`, { body, contentType: 'video/mp4', etag: '"clip"' });
    server.setMedia(`${base}/poster.jpg`, { body: Buffer.from('\xff\xd8\xff\xe0 poster', 'latin1'), contentType: 'image/jpeg' });
    server.setMedia(`${base}/en.vtt`, { body: vtt('hello'), contentType: 'text/vtt' });
    server.setMedia(`${base}/de.vtt`, { body: vtt('hallo'), contentType: 'text/vtt' });
    server.setMedia(`${base}/fr.vtt`, { body: vtt('bonjour'), contentType: 'text/vtt' });
    server.setMedia(`/watch?v=${videoId}`, {
      contentType: 'text/html; charset=utf-8',
      body: Buffer.from(`<!DOCTYPE html><html><head><title>With subs</title></head><body>
<video poster="${base}/poster.jpg" controls><source src="${base}/clip.mp4" type="video/mp4">
<track kind="subtitles" srclang="en" src="${base}/en.vtt"><track kind="subtitles" srclang="de" src="${base}/de.vtt">
<track kind="subtitles" srclang="fr" src="${base}/fr.vtt"></video></body></html>`),
    });

    await runCrawl(parker, {
      channel: name,
      url: `https://www.youtube.com/@${handle}`,
      backfill: 5,
      download: { write: ['thumbnail', 'subtitles'], subtitles: ['en', 'de'] },
    });
    const [video] = await settledVideos(parker.db, name);
    assert.equal(video?.status, 'downloaded', video?.reason);
    const stem = `2025-06-03 With subs [${videoId}]`;
    assert.equal(video.filePath, path.join(parker.downloadDir, name, `${stem}.mp4`), 'the default template: today\'s name');
    assert.equal(sha256(await readFile(video.filePath!)), sha256(body));
    assert.deepEqual(await filesUnder(path.join(parker.downloadDir, name)), [
      `${stem}.de.vtt`,
      `${stem}.en.vtt`,
      `${stem}.jpg`,
      `${stem}.mp4`,
      'poster.jpg',
    ], 'French was not asked for; info.json and the NFOs were not either; the thumbnail is the show\'s poster too');
    assert.deepEqual(await readFile(path.join(parker.downloadDir, name, 'poster.jpg')), await readFile(path.join(parker.downloadDir, name, `${stem}.jpg`)));
    assert.match(await readFile(path.join(parker.downloadDir, name, `${stem}.de.vtt`), 'utf8'), /hallo/);
    assert.match(await readFile(path.join(parker.downloadDir, name, `${stem}.en.vtt`), 'utf8'), /hello/);
  });
});
