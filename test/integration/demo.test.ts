import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';

// `npm run demo` as a newcomer runs it, on the embedded SQLite store: the demo channel's
// three episodes land on disk, and Ctrl-C (SIGTERM here) stops Parker cleanly.
// This drives the same path as `npm start` (schedules from a channel list, the worker),
// except that Temporal is the test server rather than one Parker starts itself.

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-demo-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function files(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).sort();
  } catch {
    return [];
  }
}

test('npm run demo downloads the demo channel offline, on SQLite, within a minute', { timeout: 120_000 }, async () => {
  const downloadDir = path.join(scratch, 'downloads');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: services.temporalAddress,
      TEMPORAL_TASK_QUEUE: uniqueName('demo-queue'),
      DATABASE_URL: '',
      DOWNLOAD_DIR: downloadDir,
      PARKER_DATA_DIR: path.join(scratch, 'data'),
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const folder = path.join(downloadDir, 'parker-demo');
  const deadline = Date.now() + 60_000;
  while ((await files(folder)).filter((name) => name.endsWith('.mp3')).length < 3) {
    assert.ok(child.exitCode === null, `demo exited early:\n${output}`);
    assert.ok(Date.now() < deadline, `three episodes did not land within a minute:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const landed = await files(folder);
  assert.deepEqual(
    landed.map((name) => name.replace(/^\d{4}-\d{2}-\d{2} /, '')),
    [1, 2, 3].map((i) => `Demo episode ${i} [parker-demo-${i}].mp3`),
  );
  assert.match(output, /parker\.sqlite/, 'the embedded SQLite store was used');

  child.kill('SIGTERM');
  assert.equal(await exit, 0, `demo did not stop cleanly:\n${output}`);
});
