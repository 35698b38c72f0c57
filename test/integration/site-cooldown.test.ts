import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { getCooldownUntil } from '../../src/db/cooldowns.ts';
import { recordListing } from '../../src/db/listing.ts';
import { getVideo } from '../../src/db/videos.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { DOWNLOAD_WORKFLOW } from '../../src/shared/names.ts';
import type { DownloadInput, DownloadSummary } from '../../src/shared/download.ts';
import { mediaBytes, sha256, fixtureAndParker, uniqueName, waitFor } from '../helpers/parker.ts';

// The durable per-site cooldown, against the fixture server: a 429, told by the real
// yt-dlp or answered to the HTTP downloader, starts the site's cooldown in the database,
// every download from that site waits for it on a durable timer, and they all resume by
// themselves. The worker's cooldown is 3s (test settings).
//
// Each case has a site no other test file downloads from, because the database, and so
// the cooldown, is shared by the test files running at once. yt-dlp's is `localhost`
// (yt-dlp makes its own connections, unchecked by the address policy). The HTTP
// downloader checks every address against PARKER_ALLOW_PRIVATE, so its site is a loopback
// address of its own, served by a second fixture server and allowed for this worker alone.

const YTDLP_SITE = 'localhost';
const HTTP_SITE = '127.0.0.3';

const { server, parker } = await fixtureAndParker({ allowPrivate: ['127.0.0.1', HTTP_SITE] });
const httpServer = await FixtureServer.start(0, HTTP_SITE);
after(() => httpServer.close());

function start(channel: string, externalId: string) {
  return parker.client.workflow.start<(input: DownloadInput) => Promise<DownloadSummary>>(DOWNLOAD_WORKFLOW, {
    taskQueue: parker.taskQueue,
    workflowId: videoWorkflowId(channel, externalId),
    args: [{ channel, externalId }],
    workflowExecutionTimeout: '2m',
  });
}

interface ThrottledSite {
  downloader: 'ytdlp' | 'http';
  server: FixtureServer;
  /** Where the media URLs point: the site is its host name. */
  origin: string;
  site: string;
  /** The reason the cooldown must be stored with, for the first video's media URL. */
  reason(mediaUrl: string): string | RegExp;
}

/**
 * Two videos of one site, the first answered 429: the cooldown is recorded, the second
 * download started during it does not touch the site, and both finish after it.
 */
async function bothWaitForTheCooldown({ downloader, server, origin, site, reason }: ThrottledSite): Promise<void> {
  const channel = uniqueName('cool');
  const bodies = new Map<string, Buffer>();
  const entries = ['first', 'second'].map((name) => {
    const mediaPath = `/${channel}/${name}.mp4`;
    const body = mediaBytes(200_000);
    bodies.set(`${channel}-${name}`, body);
    server.setMedia(mediaPath, { body, contentType: 'video/mp4', etag: `"${name}"` });
    return {
      externalId: `${channel}-${name}`,
      title: name,
      mediaUrl: `${origin}${mediaPath}`,
      publishedAt: '2025-01-01T00:00:00Z',
      downloader,
    };
  });
  server.addFaults(`/${channel}/first.mp4`, { kind: 'status', status: 429 });
  await recordListing(parker.db, { name: channel, url: server.url(`/${channel}/feed.xml`) }, { kind: 'rss', entries }, 10);

  const before = Date.now();
  const first = await start(channel, `${channel}-first`);
  const until = await waitFor(() => getCooldownUntil(parker.db, site), 'the cooldown to be recorded');
  assert.ok(until.getTime() >= before + 3_000 - 50, 'the cooldown lasts PARKER_SITE_COOLDOWN');
  assert.ok(until.getTime() <= Date.now() + 3_000 + 50);
  assert.equal(server.stats(`/${channel}/first.mp4`).requests, 1, 'the 429, and no retry at once');
  const row = (await parker.db('site_cooldowns').where({ site }).first('reason')) as { reason: string };
  const expected = reason(entries[0]!.mediaUrl);
  if (typeof expected === 'string') assert.equal(row.reason, expected);
  else assert.match(row.reason, expected);
  assert.doesNotMatch(row.reason, /retries exhausted/);

  // A download of the same site started during the cooldown does not touch the site.
  const second = await start(channel, `${channel}-second`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, until.getTime() - Date.now() - 1_000)));
  assert.equal(server.stats(`/${channel}/second.mp4`).requests, 0, 'paused by the cooldown');
  assert.equal(server.stats(`/${channel}/first.mp4`).requests, 1, 'still paused');

  for (const handle of [first, second]) {
    const summary = await handle.result();
    assert.ok(Date.now() >= until.getTime(), 'finished only after the cooldown');
    const externalId = handle.workflowId.endsWith('-first') ? `${channel}-first` : `${channel}-second`;
    assert.equal(summary.sha256, sha256(bodies.get(externalId)!));
    assert.equal((await getVideo(parker.db, { channel, externalId }))!.status, 'downloaded');
  }
  assert.ok(server.stats(`/${channel}/second.mp4`).requests >= 1);
}

describe('per-site cooldown', () => {
  test('a throttled yt-dlp download pauses every download from the site until the cooldown ends, then both finish', async () => {
    await bothWaitForTheCooldown({
      downloader: 'ytdlp',
      server,
      origin: `http://${YTDLP_SITE}:${new URL(server.origin).port}`,
      site: YTDLP_SITE,
      reason: () => /HTTP Error 429/,
    });
  });

  test('a plain HTTP 429 to the HTTP downloader does the same: the site cools down, both downloads finish after it', async () => {
    await bothWaitForTheCooldown({
      downloader: 'http',
      server: httpServer,
      origin: httpServer.origin,
      site: HTTP_SITE,
      // The status and the URL, as the HTTP downloader's error says them.
      reason: (mediaUrl) => `${mediaUrl} answered HTTP 429`,
    });
  });
});
