import { context, metrics, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { MetricMeter } from '@temporalio/common';
import type { TelemetrySettings } from '../config/settings.ts';
import { temporalMeterOver } from './otel-meter.ts';

// Parker's OpenTelemetry, set up with the NodeSDK (resource, trace exporter, metric
// reader), beside the Temporal SDK's interceptors (interceptors.ts):
//  - traces: one per crawl and one per download, with a span per activity, sent over
//    OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. Without an endpoint the spans are still
//    made (their trace ids go into the activity logs) but dropped;
//  - metrics, when OTLP carries them (an endpoint and no PARKER_METRICS_PORT): the
//    activities' metrics through the NodeSDK's metric reader. The workflows' metrics and
//    Temporal's own are recorded in the Temporal runtime, whose OTLP exporter sends them to
//    the same endpoint (runtime.ts); with PARKER_METRICS_PORT all of them are on its
//    Prometheus endpoint instead.
//
// OpenTelemetry JS 1.x (sdk-node 0.57) on purpose: @temporalio/interceptors-opentelemetry
// 1.24 depends on @opentelemetry/sdk-trace-base and resources 1.x, and hands the workflow
// spans to a 1.x SpanProcessor with a 1.x Resource. docs/observability.md says more.
//
// The NodeSDK registers the process-wide tracer provider, meter provider, context manager
// and propagator (the activity interceptor reads its parent with the global propagator and
// starts its span in the global context), so there is one setup per process, shared by
// whoever asks for the same settings and ended by the last of them.

export interface Tracing {
  /** The tracer the activity interceptor makes its spans with. */
  tracer: Tracer;
  /** Where the workflow spans go (the workflow sandbox hands them out through a sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** The meter for the activities' metrics when they leave over OTLP; unset: the Temporal runtime's. */
  metricMeter?: MetricMeter;
  /** Sends the spans and metrics still buffered. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting (once the last user of this process's setup stops). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Spans wait at most this long in the batch before they are sent. */
  exportDelayMs?: number;
  /** How often metrics are sent over OTLP. */
  metricExportIntervalMs?: number;
}

let running: { settings: string; users: number; tracing: Tracing; stop(): Promise<void> } | undefined;

function startSdk(telemetry: TelemetrySettings, options: TracingOptions): { tracing: Tracing; stop(): Promise<void> } {
  const resource = new Resource({ 'service.name': telemetry.serviceName });
  const endpoint = telemetry.otlpEndpoint;
  const spanProcessor: SpanProcessor = endpoint
    ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), {
        scheduledDelayMillis: options.exportDelayMs ?? 5000,
      })
    : new NoopSpanProcessor();
  const metricReader =
    endpoint && !telemetry.metrics
      ? new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
          exportIntervalMillis: options.metricExportIntervalMs ?? 10_000,
        })
      : undefined;
  const sdk = new NodeSDK({
    resource,
    // Only what Parker says: the workflow spans leave with this same resource.
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    ...(metricReader ? { metricReader } : {}),
    contextManager: new AsyncLocalStorageContextManager(),
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
  });
  sdk.start();
  const tracing: Tracing = {
    tracer: trace.getTracer('parker'),
    spanProcessor,
    resource,
    ...(metricReader ? { metricMeter: temporalMeterOver(metrics.getMeter('parker')) } : {}),
    forceFlush: async () => {
      await spanProcessor.forceFlush();
      await metricReader?.forceFlush();
    },
    shutdown: async () => {},
  };
  return {
    tracing,
    async stop() {
      await sdk.shutdown();
      // A later setup in this process registers its own.
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export function startTracing(telemetry: TelemetrySettings, options: TracingOptions = {}): Tracing {
  const settings = JSON.stringify(telemetry);
  if (running && running.settings !== settings) {
    throw new Error(`OpenTelemetry is set up in this process already (${running.settings}); it cannot also be set up for ${settings}`);
  }
  running ??= { settings, users: 0, ...startSdk(telemetry, options) };
  const shared = running;
  shared.users++;
  let stopped = false;
  return {
    ...shared.tracing,
    async shutdown() {
      if (stopped) return;
      stopped = true;
      if (--shared.users > 0) {
        await shared.tracing.forceFlush();
        return;
      }
      if (running === shared) running = undefined;
      await shared.stop();
    },
  };
}
