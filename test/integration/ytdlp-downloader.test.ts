import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { createYtDlpDownloader } from '../../src/downloaders/ytdlp.ts';
import { partWorkDir } from '../../src/downloaders/part-file.ts';
import { DownloaderStalledError, NoMediaError, VideoUnavailableError, VideoUpcomingError } from '../../src/errors.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import type { DownloadOptions, DownloadProgress } from '../../src/shared/download.ts';
import { checkYtDlp, YtDlpSetupError } from '../../src/ytdlp/version.ts';
import { bundledDenoRuntime } from '../../src/ytdlp/js-runtime.ts';
import { inspectYtDlp, setUpYtDlp, youtubeWarnings } from '../../src/ytdlp/setup.ts';
import { listWithYtDlp } from '../../src/sources/ytdlp.ts';
import { probeBestFormat } from '../../src/ytdlp/best-format.ts';
import pino from 'pino';
import { AddressPolicy } from '../../src/http/address-policy.ts';
import { mediaBytes, sha256 } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

// The yt-dlp downloader on its own, with the real yt-dlp against media served on
// 127.0.0.1 (its generic extractor takes a direct file link), and a stand-in script
// only for hanging, exiting 0 without a file, and printing a given error.

/** The tests' address policy: the fixture server's 127.0.0.1 only. */
const POLICY = new AddressPolicy(['127.0.0.1']);

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fake-ytdlp.sh');

let server: FixtureServer;
let scratch: string;

before(async () => {
  server = await FixtureServer.start();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-ytdlp-'));
});
after(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env.FAKE_YTDLP_MODE;
  delete process.env.FAKE_YTDLP_LOG;
  delete process.env.FAKE_YTDLP_ERROR;
  delete process.env.FAKE_YTDLP_VERSION;
  delete process.env.FAKE_YTDLP_JS_RUNTIMES;
});

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

let counter = 0;
function job(url: string, extra: { signal?: AbortSignal; cookies?: string } = {}) {
  const partPath = path.join(scratch, `video-${++counter}`, `2025-01-01 A video [v${counter}].part`);
  const progress: DownloadProgress[] = [];
  return {
    progress,
    partPath,
    job: {
      url,
      partPath,
      signal: extra.signal ?? new AbortController().signal,
      onProgress: (p: DownloadProgress) => progress.push(p),
      options: extra.cookies ? { cookies: extra.cookies } : undefined,
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('yt-dlp downloader, real yt-dlp', () => {
  // As the worker runs it: with the Deno from node_modules as its JS runtime.
  const real = () => createYtDlpDownloader({ binary: services.ytdlp, jsRuntime: bundledDenoRuntime(), stallTimeoutMs: 30_000 });

  test('downloads a media URL into the part work folder with progress, and names the extension', async () => {
    const body = mediaBytes(3_000_000);
    server.setMedia('/real/clip.mp4', { body, contentType: 'video/mp4', etag: '"clip"' });
    const { job: j, progress, partPath } = job(server.url('/real/clip.mp4'));
    const media = await real().download(j);
    assert.equal(media.ext, 'mp4');
    assert.equal(media.bytes, body.length);
    assert.equal(media.sha256, sha256(body));
    assert.equal(media.filePath, path.join(partWorkDir(partPath), 'media.mp4'));
    assert.equal(sha256(await readFile(media.filePath!)), sha256(body));
    assert.deepEqual(media.format, { id: 'mp4' }, 'the format yt-dlp fetched, as it wrote it down; a direct link has no height');
    // Progress came from yt-dlp's template lines, as it went, up to the whole file.
    const fromYtDlp = progress.filter((p) => p.totalBytes === body.length);
    assert.ok(fromYtDlp.length >= 2, `progress lines: ${JSON.stringify(progress)}`);
    assert.ok(fromYtDlp.some((p) => p.bytesDone > 0 && p.bytesDone < body.length), 'a partial progress was reported');
    assert.equal(fromYtDlp.at(-1)!.bytesDone, body.length);
  });

  test('a download killed mid-transfer resumes its .part with a Range request on the next attempt', async () => {
    const body = mediaBytes(2_000_000);
    const sentBeforeKill = 600_000;
    server.setMedia('/real/resume.mp4', { body, contentType: 'video/mp4', etag: '"resume"' });
    const { job: first, partPath } = job(server.url('/real/resume.mp4'));
    const workDir = partWorkDir(partPath);
    // yt-dlp's first request reads headers (extraction), then downloads; hold the download mid-way.
    server.addFaults('/real/resume.mp4', { kind: 'pause', afterBytes: sentBeforeKill }, { kind: 'pause', afterBytes: sentBeforeKill });
    const controller = new AbortController();
    const running = real().download({ ...first, signal: controller.signal });
    const partSize = async () => {
      const names = await readdir(workDir).catch(() => [] as string[]);
      const part = names.find((name) => name.endsWith('.part'));
      return part ? (await readFile(path.join(workDir, part))).length : 0;
    };
    const deadline = Date.now() + 20_000;
    // yt-dlp writes in 128 KiB reads: the part holds the whole reads of what was sent.
    while ((await partSize()) < 256 * 1024) {
      assert.ok(Date.now() < deadline, 'the first attempt never wrote its part');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    controller.abort(new Error('cancelled by the test'));
    await assert.rejects(running, /cancelled by the test/);
    const kept = await partSize();
    const before = server.stats('/real/resume.mp4').requests;

    const media = await real().download({ ...first, signal: new AbortController().signal });
    assert.equal(media.sha256, sha256(body));
    const retryHeaders = server.stats('/real/resume.mp4').requestHeaders.slice(before);
    assert.ok(
      retryHeaders.some((headers) => headers.range === `bytes=${kept}-`),
      `the retry asked for the rest: ${JSON.stringify(retryHeaders.map((h) => h.range))}`,
    );
  });

  test('a site error is classified from its message: 404 is final, with the reason', async () => {
    server.setMedia('/real/gone.mp4', { body: mediaBytes(1000), contentType: 'video/mp4' });
    server.addFaults('/real/gone.mp4', { kind: 'status', status: 404 }, { kind: 'status', status: 404 });
    const { job: j } = job(server.url('/real/gone.mp4'));
    await assert.rejects(real().download(j), (error: unknown) => {
      assert.ok(error instanceof VideoUnavailableError, String(error));
      assert.equal(error.reason, 'removed');
      assert.match(error.message, /HTTP Error 404/);
      return true;
    });
  });

  test('the version check passes the installed yt-dlp and refuses an old one unless allowed', async () => {
    assert.match(await checkYtDlp(services.ytdlp), /^\d{4}\.\d{2}\.\d{2}/);
    process.env.FAKE_YTDLP_VERSION = '2024.05.27';
    await assert.rejects(checkYtDlp(FAKE), (error: unknown) => {
      assert.ok(error instanceof YtDlpSetupError);
      assert.match(error.message, /2024\.05\.27 .* older than 2024\.07\.01 .*CVE-2024-38519.*PARKER_ALLOW_OUTDATED_YTDLP=1/);
      return true;
    });
    assert.equal(await checkYtDlp(FAKE, { allowOutdated: true }), '2024.05.27');
    await assert.rejects(checkYtDlp(path.join(scratch, 'no-such-yt-dlp')), /cannot run yt-dlp .*scripts\/ensure-ytdlp\.sh/);
  });
});

describe('yt-dlp and its JavaScript runtime, real yt-dlp (no network: -v without a URL)', () => {
  test('the Deno from node_modules is the runtime yt-dlp picks, not marked unsupported, and yt-dlp-ejs is there', async () => {
    const jsRuntime = bundledDenoRuntime();
    assert.match(jsRuntime, /^deno:.*node_modules\/deno\//);
    const report = await inspectYtDlp({ binary: services.ytdlp, jsRuntime }, await checkYtDlp(services.ytdlp));
    assert.deepEqual(report.jsRuntimes, ['deno-2.9.6']);
    assert.equal(report.ejsVersion, '0.8.0', `optional libraries: ${report.optionalLibraries.join(', ')}`);
    // The default extras' libraries, which the venv lacked before they were pinned.
    for (const library of ['brotli', 'websockets', 'mutagen', 'requests']) {
      assert.ok(report.optionalLibraries.some((name) => name.startsWith(`${library}-`)), `${library} in ${report.optionalLibraries.join(', ')}`);
    }
    assert.deepEqual(youtubeWarnings(report, jsRuntime), []);
  });

  test('the worker logs version, runtime and yt-dlp-ejs at start, and warns when the runtime is missing', async () => {
    const good = capturingLogger();
    const invocation = await setUpYtDlp({ path: services.ytdlp, allowOutdated: false }, good.log, POLICY);
    assert.equal(invocation.jsRuntime, bundledDenoRuntime());
    const [started] = good.lines;
    assert.match(started!.msg, /^yt-dlp 2026\.10\.26, JS runtime deno-2\.9\.6, yt-dlp-ejs 0\.8\.0$/);
    assert.equal(good.lines.filter((line) => line.level >= 40).length, 0, JSON.stringify(good.lines));

    const bad = capturingLogger();
    await setUpYtDlp({ path: services.ytdlp, allowOutdated: false, jsRuntime: `deno:${path.join(scratch, 'no-deno-here')}` }, bad.log, POLICY);
    const warnings = bad.lines.filter((line) => line.level === 40).map((line) => line.msg);
    assert.equal(warnings.length, 1, JSON.stringify(bad.lines));
    assert.match(warnings[0]!, /no usable JavaScript runtime \(asked for deno:.*no-deno-here; it found none\)/);
  });

  test('a yt-dlp too old for a runtime gets none (it would reject the option) and a warning', async () => {
    process.env.FAKE_YTDLP_VERSION = '2025.10.22';
    const { log, lines } = capturingLogger();
    const invocation = await setUpYtDlp({ path: FAKE, allowOutdated: false }, log, POLICY);
    assert.equal(invocation.jsRuntime, undefined);
    assert.ok(lines.some((line) => line.level === 40 && /older than 2025\.11\.12/.test(line.msg)), JSON.stringify(lines));
  });
});

describe('yt-dlp downloader, stand-in for what yt-dlp will not do on loopback', () => {
  const fake = (stallTimeoutMs = 30_000) => createYtDlpDownloader({ binary: FAKE, stallTimeoutMs });

  test('a yt-dlp silent past the stall limit is killed with its whole process tree', async () => {
    const log = path.join(scratch, 'hang');
    process.env.FAKE_YTDLP_MODE = 'hang';
    process.env.FAKE_YTDLP_LOG = log;
    const { job: j } = job('http://127.0.0.1:9/never');
    await assert.rejects(fake(1_500).download(j), DownloaderStalledError);
    const [pid, grandchild] = (await readFile(`${log}.pids`, 'utf8')).trim().split(' ').map(Number);
    await waitFor(() => !isAlive(pid!) && !isAlive(grandchild!), 'the stand-in and its grandchild to die');
  });

  test('cancellation kills the whole process tree', async () => {
    const log = path.join(scratch, 'cancel');
    process.env.FAKE_YTDLP_MODE = 'hang';
    process.env.FAKE_YTDLP_LOG = log;
    const controller = new AbortController();
    const { job: j } = job('http://127.0.0.1:9/never', { signal: controller.signal });
    const running = fake().download(j);
    await waitFor(() => existsSync(`${log}.pids`), 'the stand-in to start');
    const [pid, grandchild] = (await readFile(`${log}.pids`, 'utf8')).trim().split(' ').map(Number);
    controller.abort(new Error('activity cancelled'));
    await assert.rejects(running, /activity cancelled/);
    await waitFor(() => !isAlive(pid!) && !isAlive(grandchild!), 'the stand-in and its grandchild to die');
  });

  test('exit 0 without a file is a failure', async () => {
    process.env.FAKE_YTDLP_MODE = 'exit0-no-file';
    const { job: j } = job('http://127.0.0.1:9/nothing');
    await assert.rejects(fake().download(j), (error: unknown) => error instanceof NoMediaError && /exited 0 but left no media file/.test(error.message));
  });

  test('a printed error is classified; the URL comes after --, and cookies go as a private copy', async () => {
    const log = path.join(scratch, 'args');
    const cookies = path.join(scratch, 'cookies.txt');
    writeFileSync(cookies, '# Netscape HTTP Cookie File\n.example.test\tTRUE\t/\tFALSE\t0\tSID\tsecret-value\n');
    process.env.FAKE_YTDLP_MODE = 'error';
    process.env.FAKE_YTDLP_LOG = log;
    process.env.FAKE_YTDLP_ERROR = "ERROR: [youtube] abcdefghijk: Private video. Sign in if you've been granted access to this video";
    const { job: j } = job('https://www.youtube.com/watch?v=abcdefghijk', { cookies });
    await assert.rejects(fake().download(j), (error: unknown) => {
      assert.ok(error instanceof VideoUnavailableError);
      assert.equal(error.reason, 'private');
      assert.doesNotMatch(error.message, /secret-value/);
      return true;
    });
    const args = (await readFile(`${log}.args`, 'utf8')).trim().split('\n');
    assert.deepEqual(args.slice(-2), ['--', 'https://www.youtube.com/watch?v=abcdefghijk']);
    assert.ok(args.includes('--continue'));
    assert.equal(args[args.indexOf('--format') + 1], 'bv*[height<=?1080]+ba/b[height<=?1080]/b');
    const copy = args[args.indexOf('--cookies') + 1]!;
    assert.notEqual(copy, cookies, 'yt-dlp gets a copy: it rewrites the jar on exit');
    assert.equal(await readFile(`${log}.cookies-seen`, 'utf8'), await readFile(cookies, 'utf8'));
    assert.equal(existsSync(copy), false, 'the copy is removed afterwards');
  });

  test('a premiere yt-dlp announces is a VideoUpcomingError that says when it starts', async () => {
    // What the download workflow does with it (a durable timer until then, plus the grace,
    // and a limit on waits) is proven with time under control in test/workflows/download.test.ts.
    process.env.FAKE_YTDLP_MODE = 'error';
    process.env.FAKE_YTDLP_ERROR = 'ERROR: [youtube] premiere01: This live event will begin in 2 hours.';
    const { job: j } = job('https://www.youtube.com/watch?v=premiere01');
    await assert.rejects(fake().download(j), (error: unknown) => {
      assert.ok(error instanceof VideoUpcomingError, String(error));
      assert.equal(error.startsInMs, 2 * 3_600_000);
      assert.match(error.message, /This live event will begin in 2 hours/);
      return true;
    });
  });

  test('the JS runtime reaches yt-dlp, for downloads and listings alike, and remote components stay off', async () => {
    const log = path.join(scratch, 'runtime-args');
    process.env.FAKE_YTDLP_MODE = 'error';
    process.env.FAKE_YTDLP_LOG = log;
    process.env.FAKE_YTDLP_ERROR = 'ERROR: [generic] Unable to download webpage: HTTP Error 500';
    const jsRuntime = 'node:/opt/node-24/bin/node';
    const expected = ['--no-js-runtimes', '--js-runtimes', jsRuntime, '--no-remote-components'];
    const before = (args: string[]) => args.slice(0, args.indexOf('--'));

    const { job: j } = job('https://www.youtube.com/watch?v=abcdefghijk');
    await assert.rejects(createYtDlpDownloader({ binary: FAKE, jsRuntime, stallTimeoutMs: 30_000 }).download(j));
    const downloadArgs = before((await readFile(`${log}.args`, 'utf8')).trim().split('\n'));
    assert.deepEqual(downloadArgs.slice(downloadArgs.indexOf('--no-js-runtimes'), downloadArgs.indexOf('--no-js-runtimes') + 4), expected);
    assert.ok(!downloadArgs.includes('--remote-components'));

    await assert.rejects(listWithYtDlp({ binary: FAKE, jsRuntime }, 'https://www.youtube.com/@someone/videos', { from: 1, to: 5 }, undefined));
    const listingArgs = before((await readFile(`${log}.args`, 'utf8')).trim().split('\n'));
    assert.ok(listingArgs.includes('--flat-playlist'), 'the second run was the listing');
    assert.deepEqual(listingArgs.slice(listingArgs.indexOf('--no-js-runtimes'), listingArgs.indexOf('--no-js-runtimes') + 4), expected);
  });

  const perOption: Array<[string, DownloadOptions, string[][]]> = [
    ['sponsorblock', { sponsorblock: { mark: ['all', '-preview'], remove: ['sponsor', 'selfpromo'] } }, [['--sponsorblock-mark', 'all,-preview'], ['--sponsorblock-remove', 'sponsor,selfpromo']]],
    ['embed', { embed: ['metadata', 'thumbnail', 'chapters'] }, [['--embed-metadata'], ['--embed-thumbnail'], ['--embed-chapters']]],
    ['embedded subtitles', { embed: ['subtitles'], subtitles: ['en', 'pt-BR'] }, [['--sub-langs', 'en,pt-BR'], ['--embed-subs']]],
    ['audio_only', { audioFormat: 'mp3' }, [['--extract-audio', '--audio-format', 'mp3'], ['--format', 'ba/b']]],
    ['extra_args', { extraArgs: ['--limit-rate', '5M', '-N', '4'] }, [['--limit-rate', '5M', '-N', '4']]],
  ];
  for (const [option, options, expected] of perOption) {
    test(`${option} reaches yt-dlp as its own flags, before the URL`, async () => {
      const log = path.join(scratch, `option-${option.replace(/\W+/g, '-')}`);
      process.env.FAKE_YTDLP_MODE = 'error';
      process.env.FAKE_YTDLP_LOG = log;
      process.env.FAKE_YTDLP_ERROR = 'ERROR: [youtube] abcdefghijk: HTTP Error 500';
      const { job: j } = job('https://www.youtube.com/watch?v=abcdefghijk');
      await assert.rejects(fake().download({ ...j, options }));
      const args = (await readFile(`${log}.args`, 'utf8')).trim().split('\n');
      const options_ = args.slice(0, args.indexOf('--'));
      for (const run of expected) {
        const at = options_.indexOf(run[0]!);
        assert.ok(at >= 0, `${run[0]} in ${options_.join(' ')}`);
        assert.deepEqual(options_.slice(at, at + run.length), run);
      }
    });
  }

  test('the PO-token provider\'s URL reaches yt-dlp as the plugin\'s extractor argument', async () => {
    const log = path.join(scratch, 'pot-args');
    process.env.FAKE_YTDLP_MODE = 'error';
    process.env.FAKE_YTDLP_LOG = log;
    process.env.FAKE_YTDLP_ERROR = 'ERROR: [youtube] abcdefghijk: HTTP Error 500';
    const { job: j } = job('https://www.youtube.com/watch?v=abcdefghijk');
    await assert.rejects(createYtDlpDownloader({ binary: FAKE, potProviderUrl: 'http://127.0.0.1:4416', stallTimeoutMs: 30_000 }).download(j));
    const args = (await readFile(`${log}.args`, 'utf8')).trim().split('\n');
    const at = args.indexOf('youtubepot-bgutilhttp:base_url=http://127.0.0.1:4416');
    assert.ok(at > 0 && at < args.indexOf('--'), args.join(' '));
    assert.equal(args[at - 1], '--extractor-args');
  });

  test('a URL that starts with "-" reaches yt-dlp as a URL, never as an option', async () => {
    const log = path.join(scratch, 'dash-args');
    process.env.FAKE_YTDLP_MODE = 'error';
    process.env.FAKE_YTDLP_LOG = log;
    process.env.FAKE_YTDLP_ERROR = 'ERROR: Unsupported URL: --exec=touch /tmp/parker-pwned';
    const { job: j } = job('--exec=touch /tmp/parker-pwned');
    await assert.rejects(fake().download(j));
    const args = (await readFile(`${log}.args`, 'utf8')).trim().split('\n');
    assert.deepEqual(args.slice(-2), ['--', '--exec=touch /tmp/parker-pwned']);
    assert.equal(args.filter((arg) => arg.startsWith('--exec')).length, 1, 'only as the argument after --');
    assert.equal(existsSync('/tmp/parker-pwned'), false);
  });
});

describe('the upgrade check\'s question to yt-dlp', () => {
  test('the real yt-dlp names the format a download would fetch, and downloads nothing', async () => {
    server.setMedia('/real/probe.mp4', { body: mediaBytes(50_000), contentType: 'video/mp4' });
    const before = readdirSync(scratch).length;
    assert.deepEqual(await probeBestFormat({ binary: services.ytdlp }, server.url('/real/probe.mp4'), undefined), { id: 'mp4' });
    assert.equal(readdirSync(scratch).length, before, 'no file written');
  });

  test('with the channel\'s format, extra options, cookies (a private copy) and proxy, the URL after --', async () => {
    const log = path.join(scratch, 'probe-args');
    const formats = path.join(scratch, 'probe-formats.json');
    const cookies = path.join(scratch, 'probe-cookies.txt');
    writeFileSync(cookies, '# Netscape HTTP Cookie File\n');
    writeFileSync(formats, JSON.stringify({ formats: [18, 22, 37].map((id, i) => ({ format_id: String(id), height: [360, 720, 1080][i], ext: 'mp4', url: 'http://127.0.0.1:9/unused' })) }));
    Object.assign(process.env, { FAKE_YTDLP_MODE: 'formats', FAKE_YTDLP_LOG: log, FAKE_YTDLP_FORMATS: formats });
    try {
      const options: DownloadOptions = { format: 'bv*[height<=720]+ba/b', extraArgs: ['-S', 'res,codec'], cookies };
      const picked = await probeBestFormat({ binary: FAKE, proxy: 'http://127.0.0.1:3128' }, 'https://www.youtube.com/watch?v=abcdefghijk', options);
      assert.deepEqual(picked, { id: '22', height: 720 });
      const args = (await readFile(`${log}.args`, 'utf8')).trim().split('\n');
      assert.deepEqual(args.slice(-2), ['--', 'https://www.youtube.com/watch?v=abcdefghijk']);
      const flag = (name: string) => args[args.indexOf(name) + 1];
      assert.equal(flag('--format'), 'bv*[height<=720]+ba/b');
      assert.equal(flag('--print'), '%(.{format_id,height})j');
      assert.equal(flag('--proxy'), 'http://127.0.0.1:3128');
      assert.equal(flag('-S'), 'res,codec');
      assert.notEqual(flag('--cookies'), cookies, 'a copy, as for a download');
      assert.equal(args.includes('--print-to-file'), false, 'nothing is downloaded');
    } finally {
      delete process.env.FAKE_YTDLP_FORMATS;
    }
  });

  test('a video the site refuses is a VideoUnavailableError', async () => {
    process.env.FAKE_YTDLP_MODE = 'error';
    process.env.FAKE_YTDLP_ERROR = 'ERROR: [youtube] abcdefghijk: Video unavailable. This video has been removed by the uploader';
    await assert.rejects(probeBestFormat({ binary: FAKE }, 'https://www.youtube.com/watch?v=abcdefghijk', undefined), VideoUnavailableError);
  });
});
