import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { feedChannel } from '../helpers/feed-channel.ts';
import { fixtureAndParker, runCrawl, settledVideos, waitFor } from '../helpers/parker.ts';
import { cli, cliEnv } from '../helpers/parker-cli.ts';

// `parker status` while a slow download runs: the JSON of one round, and the live view
// in a pseudo-terminal (util-linux `script`), whose bar moves as the transfer goes on.

const { server, parker } = await fixtureAndParker();
const env = cliEnv(parker.settings);
const SIZE = 400 * 1024;

interface Snapshot {
  downloads: Array<{ workflowId: string; title: string; channel: string; bytesDone: number; totalBytes?: number }>;
}

/** A channel whose one episode takes about 16 s, and its download's workflow id once it moves. */
async function slowDownload(prefix: string): Promise<{ channel: string; workflowId: string }> {
  const slow = feedChannel(server, prefix, [{ id: 'slow', title: 'A slow episode', served: true, size: SIZE, bytesPerSecond: SIZE / 16 }]);
  await runCrawl(parker, slow.input);
  return { channel: slow.channel, workflowId: videoWorkflowId(slow.channel, `${slow.channel}-slow`) };
}

describe('parker status', () => {
  test('--once --json shows the download in flight with its title and bytes from the heartbeat', async () => {
    const { channel, workflowId } = await slowDownload('status');
    const shown = await waitFor(async () => {
      const snapshot = JSON.parse(await cli(['status', '--once', '--json'], env)) as Snapshot;
      const view = snapshot.downloads.find((download) => download.workflowId === workflowId);
      return view && view.bytesDone > 0 ? view : undefined;
    }, 'the download with bytes in `parker status`', 40_000);
    assert.equal(shown.title, 'A slow episode');
    assert.equal(shown.channel, channel);
    assert.equal(shown.totalBytes, SIZE);
    await settledVideos(parker.db, channel);
  });

  test('in a terminal, the bar of a slow download moves', async () => {
    const { channel } = await slowDownload('status-tty');
    const root = path.resolve(import.meta.dirname, '../..');
    const child = spawn('script', ['-qfc', 'npx --no-install parker status', '/dev/null'], {
      cwd: root,
      env: { ...process.env, ...env, COLUMNS: '160', LINES: '40', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    try {
      // Bars read "<title> |█░…| <done> / <size>"; at least two different amounts done.
      await waitFor(async () => {
        const done = new Set([...screen.matchAll(/A slow episode\s*\|[^|]*\| ([\d.]+ [KMG]?i?B) \/ 400\.0 KiB/g)].map((match) => match[1]));
        return done.size >= 2 ? true : undefined;
      }, 'the bar to move', 40_000);
    } finally {
      child.kill('SIGTERM');
    }
    await settledVideos(parker.db, channel);
  });
});
