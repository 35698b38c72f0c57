import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { dashboardSuite, observedWorkflowBundle, OBSERVED_SETTINGS } from '../helpers/metrics-scenario.ts';
import { startCollector } from '../helpers/otel-collector.ts';
import { installTestRuntime, startParker } from '../helpers/parker.ts';
import { startPrometheus } from '../helpers/prometheus.ts';
import { startTracing } from '../../src/telemetry/tracing.ts';

// The collector path, as the compose stack runs it: Parker has no metrics endpoint and
// sends every metric over OTLP (the activities' through the NodeSDK's metric reader, the
// workflows' and Temporal's through the Temporal runtime's exporter) to a real
// OpenTelemetry collector, which exports them for Prometheus; every query of the
// dashboard returns a series that travelled that way. Prometheus scrapes the collector as
// the compose stack's prometheus/prometheus.yml says, with that job's relabelling.

const COMPOSE_PROMETHEUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prometheus/prometheus.yml');

/** The metric_relabel_configs of the compose stack's scrape job for the collector. */
async function collectorRelabelling(): Promise<unknown[]> {
  const config = parse(await readFile(COMPOSE_PROMETHEUS, 'utf8')) as { scrape_configs: { job_name: string; metric_relabel_configs?: unknown[] }[] };
  const job = config.scrape_configs.find((candidate) => candidate.job_name === 'otel-collector');
  if (!job) throw new Error(`${COMPOSE_PROMETHEUS} has no otel-collector job`);
  return job.metric_relabel_configs ?? [];
}

dashboardSuite('metrics, sent over OTLP through a real collector', async () => {
  const collector = await startCollector();
  const telemetry = { otlpEndpoint: collector.otlpEndpoint, serviceName: 'parker-otlp-test' };
  installTestRuntime(telemetry);
  // Every second, so that the test waits for the pipeline, not for an export interval.
  const tracing = startTracing(telemetry, { exportDelayMs: 200, metricExportIntervalMs: 1000 });
  const parker = await startParker({ ...OBSERVED_SETTINGS, telemetry }, { tracing, workflowBundle: await observedWorkflowBundle() });
  const prometheus = await startPrometheus([collector.prometheusTarget], 30_000, await collectorRelabelling());
  return {
    parker,
    prometheus,
    async close() {
      await prometheus.stop();
      await parker.stop();
      await tracing.shutdown();
      await collector.stop();
    },
  };
});
