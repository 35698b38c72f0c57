import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProgressLine, PROGRESS_MARKER } from '../../src/ytdlp/progress.ts';
import { isOlder, parseYtDlpVersion } from '../../src/ytdlp/version.ts';
import { listedFromYtDlp } from '../../src/sources/ytdlp.ts';
import { rateLimitRetryDelayMs } from '../../src/shared/retry-delays.ts';

describe('yt-dlp progress lines', () => {
  test('bytes done and total', () => {
    assert.deepEqual(parseProgressLine(`${PROGRESS_MARKER} downloading 1024 4096 NA`), { status: 'downloading', bytesDone: 1024, totalBytes: 4096 });
  });
  test('the estimate stands in for an unknown total (fragmented streams)', () => {
    assert.deepEqual(parseProgressLine(`${PROGRESS_MARKER} downloading 10 NA 5000.5`), { status: 'downloading', bytesDone: 10, totalBytes: 5001 });
  });
  test('other lines are not progress', () => {
    assert.equal(parseProgressLine('[download] Destination: media.mp4'), undefined);
    assert.equal(parseProgressLine(`${PROGRESS_MARKER} downloading NA NA NA`), undefined);
  });
});

describe('yt-dlp versions', () => {
  test('release and nightly versions parse; others do not', () => {
    assert.deepEqual(parseYtDlpVersion('2026.10.26\n'), [2026, 10, 26]);
    assert.deepEqual(parseYtDlpVersion('2024.07.02.232506'), [2024, 7, 2]);
    assert.equal(parseYtDlpVersion('youtube-dl 2021'), undefined);
  });
  test('2024.07.01 is the first one allowed', () => {
    const minimum = parseYtDlpVersion('2024.07.01')!;
    assert.equal(isOlder(parseYtDlpVersion('2024.05.27')!, minimum), true);
    assert.equal(isOlder(parseYtDlpVersion('2024.7.1')!, minimum), false);
    assert.equal(isOlder(parseYtDlpVersion('2025.01.15')!, minimum), false);
  });
});

describe('yt-dlp flat listing entries', () => {
  test('an entry becomes a yt-dlp video with its page, date, duration and live flag', () => {
    assert.deepEqual(
      listedFromYtDlp({ id: 'v1', title: 'One', url: 'https://videos.example/v/1', timestamp: 1_700_000_000, duration: 61, live_status: 'was_live' }),
      {
        externalId: 'v1',
        title: 'One',
        url: 'https://videos.example/v/1',
        mediaUrl: 'https://videos.example/v/1',
        downloader: 'ytdlp',
        publishedAt: '2023-11-14T22:13:20.000Z',
        durationSeconds: 61,
        isLive: true,
      },
    );
  });
  test('upload_date is used when there is no timestamp; an entry without a web URL is left out', () => {
    assert.equal(listedFromYtDlp({ id: 'v2', url: 'https://x.example/v2', upload_date: '20240131' })?.publishedAt, '2024-01-31T00:00:00.000Z');
    assert.equal(listedFromYtDlp({ id: 'v3', url: 'v3' }), undefined);
  });
});

describe('rate-limit backoff', () => {
  test('15m, 30m, 1h, then 2h', () => {
    assert.deepEqual([1, 2, 3, 4, 9].map(rateLimitRetryDelayMs), [900_000, 1_800_000, 3_600_000, 7_200_000, 7_200_000]);
  });

  test('videos embedded in the listed page itself are fetched by their own media URL', () => {
    const page = 'https://site.example/videos.html';
    const embedded = { id: 'videos-1', title: 'First', webpage_url: page, formats: [{ url: 'https://cdn.example/first.mp4' }] };
    assert.equal(listedFromYtDlp(embedded, page)?.mediaUrl, 'https://cdn.example/first.mp4');
    assert.equal(listedFromYtDlp(embedded, page)?.url, page);
    // A video with a page of its own keeps it, whatever its formats say.
    assert.equal(listedFromYtDlp({ ...embedded, webpage_url: 'https://site.example/v/1' }, page)?.mediaUrl, 'https://site.example/v/1');
  });
});
