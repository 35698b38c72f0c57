import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { connectDb, type Db } from '../../src/db/connect.ts';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { CRAWL_WORKFLOW, scheduleIdFor } from '../../src/shared/names.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, settledVideos, sha256, testSettings, uniqueName } from '../helpers/parker.ts';
import { services } from '../helpers/services.ts';
import { makePki, startMtlsFront, type MtlsFront, type TestPki } from '../helpers/tls.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';

// Temporal behind mTLS, as production runs it: the schedule sync and a worker connect
// with TEMPORAL_TLS_CA / _CERT / _KEY; without a client certificate they are turned away.

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-tls-'));
let pki: TestPki;
let front: MtlsFront;
let plain: Connection;
let db: Db;
let server: FixtureServer;
let worker: WorkerProcess | undefined;

before(async () => {
  pki = await makePki(scratch);
  front = await startMtlsFront(pki, services.temporalAddress);
  plain = await Connection.connect({ address: services.temporalAddress });
  db = connectDb(services.databaseUrl, scratch);
  server = await FixtureServer.start();
});
after(async () => {
  await worker?.kill('SIGTERM');
  await server?.close();
  await db?.destroy();
  await plain?.close();
  await front?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function tlsEnv(withClientCertificate = true): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: front.address,
    TEMPORAL_TLS_CA: pki.ca,
    TEMPORAL_TLS_SERVER_NAME: pki.serverName,
    ...(withClientCertificate ? { TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: pki.clientKey } : {}),
  };
}

async function syncSchedulesOver(env: Record<string, string>, channel: string, taskQueue: string) {
  const config = path.join(scratch, `${channel}.yaml`);
  writeFileSync(config, `channels:\n  - name: ${channel}\n    url: https://example.org/feed.xml\n`);
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/schedule.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PARKER_CONFIG: config, TEMPORAL_TASK_QUEUE: taskQueue },
  });
}

describe('Temporal over mTLS', () => {
  test('the schedule sync connects with the CA, a client certificate and the server name', async () => {
    const channel = uniqueName('tls');
    const before = front.authorized();
    await syncSchedulesOver(tlsEnv(), channel, uniqueName('tls-queue'));
    assert.ok(front.authorized() > before, 'the sync went through the mTLS front');
    const description = await new Client({ connection: plain }).schedule.getHandle(scheduleIdFor(channel)).describe();
    assert.equal(description.scheduleId, scheduleIdFor(channel));
    await new Client({ connection: plain }).schedule.getHandle(scheduleIdFor(channel)).delete();
  });

  test('without a client certificate the connection is refused', async () => {
    const failure = await syncSchedulesOver(tlsEnv(false), uniqueName('tls'), uniqueName('tls-queue')).then(
      () => assert.fail('a client without a certificate must be turned away'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failure.code, 1);
    assert.match(failure.stderr, /no Temporal server answers at 127\.0\.0\.1:\d+/);
  });

  test('a worker connected over mTLS runs crawls and downloads', { timeout: 120_000 }, async () => {
    const settings = testSettings(scratch);
    const before = front.authorized();
    worker = await startWorkerProcess(settings, 60_000, tlsEnv());
    assert.ok(front.authorized() > before, 'the worker connected through the mTLS front');
    const body = mediaBytes(50_000);
    const episode = podcastWithOneEpisode(server, { body, contentType: 'audio/mpeg' });
    await new Client({ connection: plain }).workflow.execute(CRAWL_WORKFLOW, {
      taskQueue: settings.temporal.taskQueue,
      workflowId: uniqueName('tls-crawl'),
      args: [episode.input],
    });
    const [video] = await settledVideos(db, episode.channel);
    assert.equal(video?.status, 'downloaded', video?.reason);
    assert.equal(video.sha256, sha256(body));
  });
});
