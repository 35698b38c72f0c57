import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { connectDb } from '../../src/db/connect.ts';
import { recordDiskFull } from '../../src/db/cooldowns.ts';
import { registerSearchAttributes } from '../../src/temporal/search-attributes.ts';
import { testSettings, uniqueName, waitFor } from '../helpers/parker.ts';
import { cliEnv, runCli } from '../helpers/parker-cli.ts';
import { services } from '../helpers/services.ts';
import { temporal } from '../helpers/temporal-cli.ts';

// `parker doctor` against the real services: every check passes where everything is
// there, a broken check says so with what to do (and the command exits 1), and the
// search attributes a fresh namespace lacks are reported, then registered through the
// operator service as a worker's start-up does on a cluster.

const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-doctor-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const settings = testSettings(scratch);
mkdirSync(settings.downloadDir, { recursive: true });
writeFileSync(settings.configPath, 'channels:\n  - name: fine\n    url: https://example.org/feed.xml\n');

interface Line {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

async function doctor(env: Record<string, string>): Promise<{ code: number; lines: Line[]; text: string }> {
  const json = await runCli(['doctor', '--json'], env);
  const text = await runCli(['doctor'], env);
  assert.equal(json.code, text.code);
  return { code: json.code, lines: JSON.parse(json.stdout) as Line[], text: text.stdout };
}

describe('parker doctor', () => {
  test('every check passes where everything is there', async () => {
    const { code, lines, text } = await doctor(cliEnv(settings));
    assert.deepEqual(lines.filter((line) => !line.ok), []);
    assert.deepEqual(lines.map((line) => line.check), [
      'temporal',
      'search attributes',
      'database',
      'yt-dlp',
      'ffmpeg',
      'download folder',
      'full-disk pause',
      'channels.yaml',
    ]);
    assert.match(lines.find((line) => line.check === 'yt-dlp')!.detail, /JS runtime deno-[\d.]+, yt-dlp-ejs [\d.]+/);
    assert.equal(code, 0);
    assert.equal(text.trim().split('\n').length, 8, text);
  });

  test('a download folder that is a file and a broken channel entry fail, with what to do; exit 1', async () => {
    const notAFolder = path.join(scratch, 'not-a-folder');
    writeFileSync(notAFolder, 'a file');
    const broken = path.join(scratch, 'broken.yaml');
    writeFileSync(broken, 'channels:\n  - name: bad\n    url: https://example.org/feed.xml\n    every: 5s\n');
    const { code, lines, text } = await doctor(cliEnv(settings, { DOWNLOAD_DIR: notAFolder, PARKER_CONFIG: broken }));
    assert.equal(code, 1);
    const failed = Object.fromEntries(lines.filter((line) => !line.ok).map((line) => [line.check, line]));
    assert.deepEqual(Object.keys(failed), ['download folder', 'channels.yaml']);
    assert.match(failed['download folder']!.fix!, /DOWNLOAD_DIR/);
    assert.match(failed['channels.yaml']!.detail, /channel "bad": every:/);
    assert.match(text, /^FAIL download folder: .*not-a-folder.* — create the folder/m);
    assert.match(text, /^ok {3}temporal: /m);
  });

  test('a JS runtime yt-dlp calls unsupported, and a download folder found full, fail with what to do', async () => {
    // The node running this test is one yt-dlp calls unsupported (it wants a newer one).
    const db = connectDb(settings.databaseUrl, settings.dataDir);
    try {
      await recordDiskFull(db, settings.hostId, new Date(Date.now() + 600_000), 'cannot write: ENOSPC');
      const { code, lines } = await doctor(cliEnv(settings, { PARKER_JS_RUNTIME: `node:${process.execPath}`, PARKER_HOST_ID: settings.hostId }));
      assert.equal(code, 1);
      const failed = Object.fromEntries(lines.filter((line) => !line.ok).map((line) => [line.check, line]));
      assert.deepEqual(Object.keys(failed), ['yt-dlp', 'full-disk pause']);
      assert.match(failed['yt-dlp']!.detail, /JS runtime node-[\d.]+ \(unsupported\)/);
      assert.match(failed['yt-dlp']!.fix!, /no usable JavaScript runtime.*PARKER_JS_RUNTIME/);
      assert.match(failed['full-disk pause']!.detail, /transfers wait until/);
      assert.match(failed['full-disk pause']!.fix!, /free some space/);
    } finally {
      await db('disk_full_pauses').where({ host_id: settings.hostId }).delete();
      await db.destroy();
    }
  });

  test('a namespace without the search attributes fails that check until they are registered', async () => {
    const namespace = uniqueName('doctor-ns');
    const connection = await Connection.connect({ address: services.temporalAddress });
    try {
      await temporal(['operator', 'namespace', 'create', '--namespace', namespace]);
      const env = cliEnv(settings, { TEMPORAL_NAMESPACE: namespace });
      // A new namespace takes a moment to reach every part of the server.
      const first = await waitFor(async () => {
        const run = await doctor(env);
        return run.lines.find((line) => line.check === 'temporal')?.ok ? run : undefined;
      }, `namespace ${namespace} answering`, 30_000);
      const check = first.lines.find((line) => line.check === 'search attributes')!;
      assert.equal(check.ok, false);
      assert.match(check.detail, /ParkerChannel, ParkerVideoId, ParkerStatus not registered/);
      assert.match(check.fix!, /temporal operator search-attribute create --namespace/);

      assert.deepEqual(await registerSearchAttributes(connection, namespace), ['ParkerChannel', 'ParkerVideoId', 'ParkerStatus']);
      assert.deepEqual(await registerSearchAttributes(connection, namespace), [], 'a second start-up finds them there');
      const second = await doctor(env);
      assert.equal(second.lines.find((line) => line.check === 'search attributes')?.ok, true);
      assert.equal(second.code, 0);
    } finally {
      await connection.close();
    }
  });
});
