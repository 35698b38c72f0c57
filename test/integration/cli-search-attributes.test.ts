import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseChannelList } from '../../src/config/channels.ts';
import { videoWorkflowId } from '../../src/naming/workflow-ids.ts';
import { crawlWorkflowIdFor, scheduleIdFor } from '../../src/shared/names.ts';
import { syncSchedules } from '../../src/temporal/channel-schedules.ts';
import { feedChannel } from '../helpers/feed-channel.ts';
import { fixtureAndParker, runCrawl, settledVideos, uniqueName, waitFor } from '../helpers/parker.ts';
import { describedSummary, listWorkflows, temporal, waitForListed } from '../helpers/temporal-cli.ts';

// ParkerChannel, ParkerVideoId and ParkerStatus, read back the way a person would: with
// the real `temporal` CLI's list queries and descriptions.

const { server, parker } = await fixtureAndParker();

describe('search attributes and summaries', () => {
  test("`temporal workflow list --query \"ParkerChannel='x'\"` lists that channel's downloads, filtered by status too", async () => {
    const x = feedChannel(server, 'sa-x', [
      { id: 'ok', title: 'A fine episode', served: true },
      { id: 'gone', title: 'A removed episode', served: false },
    ]);
    const y = feedChannel(server, 'sa-y', [{ id: 'other', title: 'Another channel', served: true }]);
    await runCrawl(parker, x.input);
    await runCrawl(parker, y.input);
    await settledVideos(parker.db, x.channel);
    await settledVideos(parker.db, y.channel);

    const ok = videoWorkflowId(x.channel, `${x.channel}-ok`);
    const gone = videoWorkflowId(x.channel, `${x.channel}-gone`);
    const downloads = `ParkerChannel='${x.channel}' AND WorkflowType='downloadVideo'`;
    await waitForListed(downloads, [ok, gone]);
    await waitForListed(`${downloads} AND ParkerStatus='downloaded'`, [ok]);
    await waitForListed(`ParkerChannel='${x.channel}' AND ParkerStatus='failed'`, [gone]);
    await waitForListed(`ParkerVideoId='${x.channel}-gone'`, [gone]);

    assert.equal(await describedSummary(ok), `A fine episode — ${x.channel}`);
    assert.equal(await describedSummary(gone), `A removed episode — ${x.channel}`);
  });

  test('a crawl and a download started by hand with `temporal workflow start` label themselves', async () => {
    const hand = feedChannel(server, 'sa-hand', [{ id: 'ep', title: 'By hand', served: true }]);
    const crawlId = uniqueName('hand-crawl');
    const input = JSON.stringify({ channel: hand.channel, url: hand.feedUrl, backfill: 1 });
    await temporal(['workflow', 'start', '--type', 'crawlChannel', '--task-queue', parker.taskQueue, '--workflow-id', crawlId, '--input', input]);
    await temporal(['workflow', 'result', '--workflow-id', crawlId]);
    await settledVideos(parker.db, hand.channel);
    const download = videoWorkflowId(hand.channel, `${hand.channel}-ep`);
    await waitForListed(`ParkerChannel='${hand.channel}'`, [crawlId, download]);

    // A second download of a video already there: it says so and labels itself.
    const again = uniqueName('hand-download');
    const downloadInput = JSON.stringify({ channel: hand.channel, externalId: `${hand.channel}-ep` });
    await temporal(['workflow', 'start', '--type', 'downloadVideo', '--task-queue', parker.taskQueue, '--workflow-id', again, '--input', downloadInput]);
    await temporal(['workflow', 'result', '--workflow-id', again]);
    await waitForListed(`ParkerVideoId='${hand.channel}-ep' AND ParkerStatus='downloaded'`, [download, again]);
  });

  test("a channel's schedule labels its crawls with the channel and a summary", async () => {
    const scheduled = feedChannel(server, 'sa-sched', [{ id: 'ep', title: 'Scheduled', served: true }]);
    const list = parseChannelList(
      `channels:\n  - name: ${scheduled.channel}\n    url: ${scheduled.feedUrl}\n    every: 1h\n    backfill: 1\n`,
      'channels.yaml',
    );
    assert.deepEqual(list.problems, []);
    await syncSchedules(parker.client, list.channels, { taskQueue: parker.taskQueue });
    try {
      const description = await parker.client.schedule.getHandle(scheduleIdFor(scheduled.channel)).describe();
      assert.ok(description.action.type === 'startWorkflow');
      assert.equal(description.action.staticSummary, `Crawl of ${scheduled.channel}`);
      // The schedule's first crawl runs at once, under an id the server appends the time to.
      const crawl = await waitFor(async () => {
        const listed = await listWorkflows(`ParkerChannel='${scheduled.channel}' AND WorkflowType='crawlChannel'`);
        return listed.find((workflow) => workflow.execution.workflowId.startsWith(crawlWorkflowIdFor(scheduled.channel)));
      }, `the scheduled crawl of ${scheduled.channel} in the list`);
      assert.equal(await describedSummary(crawl.execution.workflowId), `Crawl of ${scheduled.channel}`);
    } finally {
      await parker.client.schedule.getHandle(scheduleIdFor(scheduled.channel)).delete();
    }
  });
});
