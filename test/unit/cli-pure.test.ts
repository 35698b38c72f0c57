import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { channelNameFromUrl } from '../../src/config/channel-file-edit.ts';
import { formatBytes } from '../../src/cli/output.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { downloadSummaryFor } from '../../src/workflows/start-download.ts';

// The CLI's and the workflows' small pure helpers: names made from URLs, byte counts,
// the one-line summaries the Web UI shows.

describe('channel names from URLs', () => {
  test('a YouTube handle, a feed file, a generic feed path', () => {
    assert.equal(channelNameFromUrl('https://www.youtube.com/@SomeHandle'), 'somehandle');
    assert.equal(channelNameFromUrl('https://example.org/shows/planet-money.xml'), 'planet-money');
    assert.equal(channelNameFromUrl('https://www.example.org/podcast/feed.xml'), 'example-org');
    assert.equal(channelNameFromUrl('https://feeds.npr.org/510289/podcast.xml'), 'feeds-npr-org');
  });

  test('not a URL: one sentence that says what to give', () => {
    assert.throws(() => channelNameFromUrl('not a url'), /"not a url" is not a URL: give the channel's feed or page address/);
  });
});

describe('formatBytes', () => {
  test('bytes, then binary units with one decimal', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(400 * 1024), '400.0 KiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });
});

describe('download summaries', () => {
  test("the title and the channel on one line; the id when there is no title", () => {
    assert.equal(downloadSummaryFor('news', { externalId: 'ep1', title: 'Morning\nedition ' }), 'Morning edition — news');
    assert.equal(downloadSummaryFor('news', { externalId: 'ep1' }), 'ep1 — news');
  });
});

describe('the Web UI address for links', () => {
  test("TEMPORAL_UI_URL, else the embedded dev server's, else none for a configured server", () => {
    assert.equal(loadSettings({ TEMPORAL_UI_URL: 'http://ui.internal:8080/' }).temporal.uiUrl, 'http://ui.internal:8080');
    assert.equal(loadSettings({}).temporal.uiUrl, 'http://127.0.0.1:8233');
    assert.equal(loadSettings({ TEMPORAL_ADDRESS: 'temporal:7233' }).temporal.uiUrl, undefined);
    assert.throws(() => loadSettings({ TEMPORAL_UI_URL: 'ftp://x' }), /TEMPORAL_UI_URL must be an http\(s\) URL/);
  });
});
