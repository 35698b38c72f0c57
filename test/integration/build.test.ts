import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CRAWL_WORKFLOW } from '../../src/shared/names.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, settledVideos, sha256, testSettings, uniqueName } from '../helpers/parker.ts';
import { workerProcessSuite } from '../helpers/worker-process-suite.ts';
import { COMPILED_WORKER } from '../helpers/worker-process.ts';

// Production runs the compiled JavaScript with plain node (the Dockerfile's CMD): the build
// must make a worker that starts without tsx, loads the workflow bundle the build made, and
// downloads a video end to end.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = path.join(root, 'dist', 'workflows.bundle.js');
const suite = workerProcessSuite({ scratchPrefix: 'parker-build-' });

before(async () => {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: root });
}, { timeout: 300_000 });

test('npm run build makes a worker that plain node runs, with its prebuilt workflow bundle', { timeout: 180_000 }, async () => {
  await access(BUNDLE);

  const settings = testSettings(suite.scratch);
  const body = mediaBytes(300_000);
  const episode = podcastWithOneEpisode(suite.server, { body, contentType: 'audio/mpeg' });
  const worker = await suite.startWorker(settings, {}, COMPILED_WORKER);

  await suite.client.workflow.start(CRAWL_WORKFLOW, {
    taskQueue: settings.temporal.taskQueue,
    workflowId: uniqueName('build-crawl'),
    args: [episode.input],
  });
  const [video] = await settledVideos(suite.db, episode.channel);
  assert.equal(video?.status, 'downloaded', `${video?.reason}\n${worker.output()}`);
  assert.equal(sha256(await readFile(video.filePath!)), sha256(body));

  await worker.kill('SIGTERM');
  assert.equal(worker.child.exitCode, 0, `the worker should stop cleanly on SIGTERM:\n${worker.output()}`);
});

test('the compiled worker refuses to start without the prebuilt bundle rather than bundle at start', { timeout: 120_000 }, async () => {
  await rename(BUNDLE, `${BUNDLE}.aside`);
  try {
    await assert.rejects(suite.startWorker(testSettings(suite.scratch), {}, COMPILED_WORKER), /workflows\.bundle\.js is missing: `npm run build` makes it/);
  } finally {
    await rename(`${BUNDLE}.aside`, BUNDLE);
  }
});
