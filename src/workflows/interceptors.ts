// Workflow interceptors, bundled with the workflows (src/telemetry/interceptors.ts names
// this module for the worker and for the test bundle). Deterministic code only.
//
// The SDK's OpenTelemetry interceptors give each workflow a RunWorkflow span and each
// activity it schedules a StartActivity span, propagated to the activity's RunActivity
// span through headers. They would also carry the crawl's trace into every download it
// starts; a download outlives its crawl (parent close policy ABANDON) and may run for
// hours, so it starts a trace of its own instead: one trace per crawl, one per download.
//
// The package's entry point exports the three workflow interceptor classes, but has no
// public export for the SDK's factory that lists them, nor for the header's name: only
// files under its lib/, whose layout is no contract. The entry point also brings the
// package's worker and client halves into the bundle; they import no Node module (the
// bundler refuses those, so a release that did would fail at bundling, loudly). The SDK is
// pinned exactly, so a new interceptor or header name only comes with a deliberate
// upgrade, and test/integration/tracing.test.ts fails if a download's trace is not its own.
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowInterceptors, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

/** The header the OpenTelemetry interceptors carry a trace context in (their TRACE_HEADER). */
const TRACE_HEADER = '_tracer-data';

/** Starts child workflows without the parent's trace context, so each child is its own trace. */
class ChildInOwnTrace implements WorkflowOutboundCallsInterceptor {
  startChildWorkflowExecution: NonNullable<WorkflowOutboundCallsInterceptor['startChildWorkflowExecution']> = (
    input,
    next,
  ) => {
    const { [TRACE_HEADER]: _parentTrace, ...headers } = input.headers;
    return next({ ...input, headers });
  };
}

export function interceptors(): WorkflowInterceptors {
  return {
    inbound: [new OpenTelemetryInboundInterceptor()],
    // After OpenTelemetry's: it adds the header (and records the start in the crawl's
    // trace), then this takes the header off before the start leaves the workflow.
    outbound: [new OpenTelemetryOutboundInterceptor(), new ChildInOwnTrace()],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
}
