import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getCooldownUntil } from '../../src/db/cooldowns.ts';
import { getVideo, recordListing } from '../../src/db/videos.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { DOWNLOAD_WORKFLOW } from '../../src/shared/names.ts';
import type { DownloadInput, DownloadSummary } from '../../src/shared/types.ts';
import { mediaBytes, sha256, fixtureAndParker, uniqueName } from '../helpers/parker.ts';

// The durable per-site cooldown, with the real yt-dlp against the fixture server: a 429
// starts the site's cooldown in the database, every download from that site waits for it
// on a durable timer, and they all resume by themselves. The worker's cooldown is 3s
// (test settings). The site is `localhost`, a name no other test file downloads from,
// because the database, and so the cooldown, is shared by the test files running at once.

const SITE = 'localhost';

const { server, parker } = await fixtureAndParker();

function start(channel: string, externalId: string) {
  return parker.client.workflow.start<(input: DownloadInput) => Promise<DownloadSummary>>(DOWNLOAD_WORKFLOW, {
    taskQueue: parker.taskQueue,
    workflowId: videoWorkflowId(channel, externalId),
    args: [{ channel, externalId }],
    workflowExecutionTimeout: '2m',
  });
}

async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('per-site cooldown', () => {
  test('a throttled yt-dlp download pauses every download from the site until the cooldown ends, then both finish', async () => {
    const channel = uniqueName('cool');
    const port = new URL(server.origin).port;
    const bodies = new Map<string, Buffer>();
    const entries = ['first', 'second'].map((name) => {
      const mediaPath = `/${channel}/${name}.mp4`;
      const body = mediaBytes(200_000);
      bodies.set(`${channel}-${name}`, body);
      server.setMedia(mediaPath, { body, contentType: 'video/mp4', etag: `"${name}"` });
      return {
        externalId: `${channel}-${name}`,
        title: name,
        mediaUrl: `http://${SITE}:${port}${mediaPath}`,
        publishedAt: '2025-01-01T00:00:00Z',
        downloader: 'ytdlp' as const,
      };
    });
    server.addFaults(`/${channel}/first.mp4`, { kind: 'status', status: 429 });
    await recordListing(parker.db, { name: channel, url: server.url(`/${channel}/feed.xml`) }, { kind: 'rss', entries }, 10);

    const before = Date.now();
    const first = await start(channel, `${channel}-first`);
    const until = await waitFor(() => getCooldownUntil(parker.db, SITE), 'the cooldown to be recorded');
    assert.ok(until.getTime() >= before + 3_000 - 50, 'the cooldown lasts PARKER_SITE_COOLDOWN');
    assert.ok(until.getTime() <= Date.now() + 3_000 + 50);
    assert.equal(server.stats(`/${channel}/first.mp4`).requests, 1, 'the 429, and no retry at once');
    const row = (await parker.db('site_cooldowns').where({ site: SITE }).first('reason')) as { reason: string };
    assert.match(row.reason, /HTTP Error 429/);
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
  });
});
