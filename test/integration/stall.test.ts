import assert from 'node:assert/strict';
import { test } from 'node:test';
import proto from '@temporalio/proto'; // CommonJS: its namespace comes as the default export
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker } from '../helpers/parker.ts';

// A server that accepts the connection and then says nothing. The transfer makes no
// progress, so its heartbeat stops; Temporal times the attempt out and retries it, and
// the same worker goes on downloading.

const { server, parker } = await fixtureAndParker();

test('a silent server: the attempt times out through its heartbeat, is retried, and the worker stays healthy', { timeout: 120_000 }, async () => {
  const body = mediaBytes(100_000);
  const episode = podcastWithOneEpisode(server, { body, contentType: 'audio/mpeg' }, { faults: [{ kind: 'stall' }] });
  await runCrawl(parker, episode.input);
  const [video] = await settledVideos(parker.db, episode.channel, 90_000);
  assert.equal(video?.status, 'downloaded', video?.reason);
  assert.equal(video.sha256, sha256(body));

  // The second attempt records why the first ended: a heartbeat timeout.
  const history = await parker.client.workflow.getHandle(videoWorkflowId(episode.channel, episode.externalId)).fetchHistory();
  const started = history.events!.filter((event) => event.activityTaskStartedEventAttributes).map((event) => event.activityTaskStartedEventAttributes!);
  const transfer = started.find((attributes) => attributes.attempt === 2);
  assert.ok(transfer, 'the transfer ran a second attempt');
  assert.equal(transfer.lastFailure?.timeoutFailureInfo?.timeoutType, proto.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);

  // The worker is not wedged by the attempt it gave up on.
  const next = podcastWithOneEpisode(server, { body: mediaBytes(10_000), contentType: 'audio/mpeg' });
  await runCrawl(parker, next.input);
  const [after] = await settledVideos(parker.db, next.channel, 20_000);
  assert.equal(after?.status, 'downloaded');
});
