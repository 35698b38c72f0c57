import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createYtDlpDownloader } from '../../src/downloaders/ytdlp.ts';
import type { DownloadOptions } from '../../src/shared/download.ts';
import { bundledDenoRuntime } from '../../src/ytdlp/js-runtime.ts';
import { serveYoutubeChannel } from '../helpers/fixture-youtube.ts';
import { fixtureAndParker, runCrawl, settledVideos, sha256, uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

// The real yt-dlp with ffmpeg post-processing media made here with ffmpeg and served on
// 127.0.0.1: embedded metadata and thumbnail, audio extracted to m4a, read back with
// ffprobe. The page is an HTML5 video page, which yt-dlp's generic extractor reads as a
// video with a title and a poster (its thumbnail).

const run = promisify(execFile);

interface Probe {
  format: { format_name: string; tags?: Record<string, string> };
  streams: Array<{ codec_type: string; codec_name: string; disposition?: { attached_pic?: number } }>;
}

async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return JSON.parse(stdout) as Probe;
}

const { server, parker } = await fixtureAndParker((fixture) => ({ youtubeBaseUrl: fixture.origin }));
let scratch: string;
let clip: Buffer;
let poster: Buffer;

before(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-postprocess-'));
  const clipFile = path.join(scratch, 'clip.mp4');
  const posterFile = path.join(scratch, 'poster.jpg');
  // Two seconds of test picture and a tone; a red poster.
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', '2', '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest', clipFile]);
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:size=64x64', '-frames:v', '1', posterFile]);
  clip = await readFile(clipFile);
  poster = await readFile(posterFile);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** An HTML5 page at `page` with the clip and its poster, under a prefix of its own. */
function servePage(page: string, title: string): string {
  const base = `/${uniqueName('media')}`;
  server.setMedia(`${base}/clip.mp4`, { body: clip, contentType: 'video/mp4', etag: '"clip"' });
  server.setMedia(`${base}/poster.jpg`, { body: poster, contentType: 'image/jpeg' });
  server.setMedia(page, {
    contentType: 'text/html; charset=utf-8',
    body: Buffer.from(`<!DOCTYPE html><html><head><title>${title}</title></head><body>
<video poster="${base}/poster.jpg" controls><source src="${base}/clip.mp4" type="video/mp4"></video></body></html>`),
  });
  return server.url(page);
}

let counter = 0;
async function download(url: string, options: DownloadOptions) {
  const partPath = path.join(scratch, `video-${++counter}`, 'video.part');
  const downloader = createYtDlpDownloader({ binary: services.ytdlp, jsRuntime: bundledDenoRuntime(), stallTimeoutMs: 60_000 });
  return downloader.download({ url, partPath, signal: new AbortController().signal, onProgress: () => {}, options });
}

describe('yt-dlp post-processing, real yt-dlp and ffmpeg', () => {
  test('embed: metadata and thumbnail end up inside the mp4', async () => {
    const url = servePage(`/${uniqueName('page')}/watch`, 'Embedded Title');
    const media = await download(url, { embed: ['metadata', 'thumbnail'] });
    assert.equal(media.ext, 'mp4');
    assert.notEqual(media.sha256, sha256(clip), 'the file was rewritten by the post-processors');
    const probe = await ffprobe(media.filePath!);
    // The generic extractor numbers a page's videos: "Embedded Title (1)".
    assert.match(probe.format.tags?.title ?? '', /^Embedded Title\b/);
    assert.equal(probe.format.tags?.comment ?? probe.format.tags?.purl ?? probe.format.tags?.description, url, JSON.stringify(probe.format.tags));
    const pictures = probe.streams.filter((stream) => stream.disposition?.attached_pic === 1);
    assert.equal(pictures.length, 1, `an attached picture: ${JSON.stringify(probe.streams)}`);
    assert.equal(pictures[0]!.codec_name, 'mjpeg');
    // The embedded thumbnail is removed from the work folder: only the media is left, and
    // the note of the format yt-dlp fetched (finalize removes the folder with it).
    assert.deepEqual((await readdir(path.dirname(media.filePath!))).sort(), ['media.mp4', 'parker-format.json']);
    assert.ok(media.format?.id, 'the format is recorded after the post-processors ran');
  });

  test('without embed, the file is the one served', async () => {
    const url = servePage(`/${uniqueName('page')}/watch`, 'Plain');
    const media = await download(url, {});
    assert.equal(media.sha256, sha256(clip));
    assert.equal((await ffprobe(media.filePath!)).format.tags?.title, undefined);
  });

  test('audio_only: the tone alone, as m4a, recorded with its type; a channel end to end', async () => {
    const name = uniqueName('audio');
    const videoId = `${name.slice(-8)}-a1`;
    const channelId = `UC${name.replace(/[^A-Za-z0-9]/g, '').padEnd(22, '0').slice(0, 22)}`;
    const handle = `h${name.replace(/-/g, '')}`;
    serveYoutubeChannel(server, {
      channelId,
      handle,
      title: 'Audio channel',
      videos: [{ id: videoId, title: 'Only sound', publishedAt: new Date(Date.UTC(2025, 5, 3)), body: clip }],
    });
    // The watch page becomes a video page, as for the real site.
    servePage(`/watch?v=${videoId}`, 'Only sound');
    await runCrawl(parker, {
      channel: name,
      url: `https://www.youtube.com/@${handle}`,
      backfill: 5,
      download: { audioFormat: 'm4a', embed: ['metadata'] },
    });
    const [video] = await settledVideos(parker.db, name);
    assert.equal(video?.status, 'downloaded', video?.reason);
    assert.equal(video.filePath, path.join(parker.downloadDir, name, `2025-06-03 Only sound [${videoId}].m4a`));
    assert.equal(video.mediaType, 'audio/mp4');
    assert.equal(video.sha256, sha256(await readFile(video.filePath!)));
    const probe = await ffprobe(video.filePath!);
    assert.deepEqual(probe.streams.map((stream) => stream.codec_type), ['audio'], JSON.stringify(probe.streams));
    assert.equal(probe.streams[0]!.codec_name, 'aac');
    assert.match(probe.format.format_name, /mp4|m4a/);
    assert.match(probe.format.tags?.title ?? '', /^Only sound\b/);
  });
});
