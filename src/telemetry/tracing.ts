import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetrySettings } from '../config/settings.ts';

// Parker's traces: one per crawl and one per download, with a span per activity, made by
// the Temporal SDK's OpenTelemetry interceptors (see interceptors.ts) and sent over
// OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. Without an endpoint the spans are still made
// (their trace ids go into the activity logs) but dropped.
//
// OpenTelemetry JS 1.x on purpose: @temporalio/interceptors-opentelemetry 1.24 depends on
// @opentelemetry/sdk-trace-base and resources 1.x, and hands the workflow spans to a 1.x
// SpanProcessor with a 1.x Resource. docs/observability.md says more.

export interface Tracing {
  /** The tracer the activity interceptor makes its spans with. */
  tracer: Tracer;
  /** Where the workflow spans go (the workflow sandbox hands them out through a sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends the spans still buffered. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Spans wait at most this long in the batch before they are sent. */
  exportDelayMs?: number;
}

let contextInstalled = false;

/**
 * The activity interceptor reads its parent from the activity's headers with the global
 * propagator, and starts its span in the global context: without these two, every
 * activity span would be a trace of its own. Once per process.
 */
function installContextPropagation(): void {
  if (contextInstalled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  contextInstalled = true;
}

export function startTracing(telemetry: TelemetrySettings, options: TracingOptions = {}): Tracing {
  installContextPropagation();
  const resource = new Resource({ 'service.name': telemetry.serviceName });
  const spanProcessor: SpanProcessor = telemetry.otlpEndpoint
    ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${telemetry.otlpEndpoint}/v1/traces` }), {
        scheduledDelayMillis: options.exportDelayMs ?? 5000,
      })
    : new NoopSpanProcessor();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  return {
    tracer: provider.getTracer('parker'),
    spanProcessor,
    resource,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
