import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FixtureServer } from '../helpers/fixture-server.ts';
import { startTracing, type Tracing } from '../../src/telemetry/tracing.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.ts';
import { mediaBytes, runCrawl, settledVideos, startParker, type TestParker } from '../helpers/parker.ts';

// Traces, as an OTLP receiver gets them: a crawl and the download it starts, exported
// over OTLP/HTTP by the worker's real tracing setup. Each is a trace of its own, and a
// download's trace holds a span for each of its activities.

let server: FixtureServer;
let receiver: OtlpReceiver;
let tracing: Tracing;
let parker: TestParker;

before(async () => {
  server = await FixtureServer.start();
  receiver = await startOtlpReceiver();
  const telemetry = { otlpEndpoint: receiver.endpoint, serviceName: 'parker-trace-test' };
  tracing = startTracing(telemetry, { exportDelayMs: 100 });
  parker = await startParker({ telemetry }, { tracing });
});
after(async () => {
  await parker?.stop();
  await tracing?.shutdown();
  await receiver?.close();
  await server?.close();
});

/** The spans named so, once the receiver has them all (spans leave in batches). */
async function spansNamed(names: string[], timeoutMs = 20_000): Promise<Map<string, ReceivedSpan[]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await tracing.forceFlush();
    const found = new Map(names.map((name) => [name, receiver.spans.filter((span) => span.name === name)]));
    if ([...found.values()].every((spans) => spans.length > 0)) return found;
    if (Date.now() > deadline) {
      const missing = names.filter((name) => found.get(name)!.length === 0);
      throw new Error(`no span ${missing.join(', ')}; received: ${[...new Set(receiver.spans.map((s) => s.name))].join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function trace(traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((span) => span.traceId === traceId);
}

describe('tracing', () => {
  test("a download's trace holds its activity spans; its crawl is another trace", async () => {
    const episode = podcastWithOneEpisode(server, { body: mediaBytes(50_000), contentType: 'audio/mpeg' });
    await runCrawl(parker, episode.input);
    const [video] = await settledVideos(parker.db, episode.channel);
    assert.equal(video?.status, 'downloaded');

    const found = await spansNamed([
      'RunWorkflow:crawlChannel',
      'RunWorkflow:downloadVideo',
      'RunActivity:fetchListing',
      'RunActivity:resolveDownload',
      'RunActivity:downloadMedia',
      'RunActivity:finalizeDownload',
    ]);
    const [download] = found.get('RunWorkflow:downloadVideo')!;
    const [crawl] = found.get('RunWorkflow:crawlChannel')!;
    assert.ok(download && crawl);
    assert.notEqual(download.traceId, crawl.traceId, 'a download is a trace of its own');
    assert.equal(download.parentSpanId, undefined, "the download's workflow span is its trace's root");

    const downloadSpans = trace(download.traceId);
    const names = new Set(downloadSpans.map((span) => span.name));
    for (const activity of ['resolveDownload', 'downloadMedia', 'finalizeDownload']) {
      assert.ok(names.has(`RunActivity:${activity}`), `the download's trace has no RunActivity:${activity} (has ${[...names].join(', ')})`);
      assert.ok(names.has(`StartActivity:${activity}`), `the download's trace has no StartActivity:${activity}`);
    }
    const ids = new Set(downloadSpans.map((span) => span.spanId));
    for (const span of downloadSpans) {
      if (span !== download) assert.ok(span.parentSpanId && ids.has(span.parentSpanId), `${span.name} hangs off a span outside the trace`);
      assert.equal(span.serviceName, 'parker-trace-test');
    }

    const crawlNames = new Set(trace(crawl.traceId).map((span) => span.name));
    for (const name of ['RunActivity:fetchListing', 'RunActivity:recordListing', 'StartChildWorkflow:downloadVideo']) {
      assert.ok(crawlNames.has(name), `the crawl's trace has no ${name} (has ${[...crawlNames].join(', ')})`);
    }
    assert.ok(!crawlNames.has('RunActivity:downloadMedia'), "the download's activities are not in the crawl's trace");
  });
});
