import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DownloadedMedia } from '../../src/shared/download.ts';
import { DOWNLOAD_WORKFLOW } from '../../src/shared/names.ts';
import type { downloadVideo } from '../../src/workflows/download.ts';
import { hostFakes, MEDIA, mainFakes, newCalls, SUMMARY, VIDEO } from '../helpers/download-fakes.ts';
import { hostOn, timeSkippingEnvironment, uniqueTaskQueue } from '../helpers/time-skipping.ts';

// The worker's bundle carries a small source map (file and line, no sources:
// src/bundle-workflows.ts) instead of webpack's full one. What the SDK uses it for is
// this: a waiting workflow's stack trace, as the Web UI's "Stack Trace" tab and
// `temporal workflow stack` show it, names the workflow's own file and line.

const { client, withWorkers } = await timeSkippingEnvironment();

test("a waiting download's stack trace names the download workflow's file and line", { timeout: 120_000 }, async () => {
  const taskQueue = uniqueTaskQueue('stack');
  const calls = newCalls();
  let release!: (media: DownloadedMedia) => void;
  const transferring = new Promise<DownloadedMedia>((resolve) => (release = resolve));
  await withWorkers(
    {
      taskQueue,
      main: mainFakes(calls),
      claims: { claimDownloadHost: async () => hostOn(taskQueue, 'a') },
      hosts: { a: hostFakes(calls, 'a', () => transferring) },
    },
    async () => {
      const handle = await client.workflow.start<typeof downloadVideo>(DOWNLOAD_WORKFLOW, {
        taskQueue,
        workflowId: `${taskQueue}-video01`,
        args: [VIDEO],
        workflowExecutionTimeout: '1h',
      });
      const deadline = Date.now() + 30_000;
      while (calls.transfers === 0) {
        assert.ok(Date.now() < deadline, 'the transfer started within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const trace = await handle.query<string>('__stack_trace');
      // Compiled (dist/workflows/download.js) or from the sources (src/workflows/download.ts).
      assert.match(trace, /workflows\/download\.(js|ts):\d+/, `the trace names the workflow's file:\n${trace}`);
      // Unmapped frames would name the bundle file: the tests' workflow-bundle.js, dist/workflows.bundle.js.
      assert.doesNotMatch(trace, /workflow-bundle\.js|workflows\.bundle\.js/, `no frame is left in the bundle's own lines:\n${trace}`);
      release(MEDIA);
      assert.deepEqual(await handle.result(), SUMMARY);
    },
  );
});
