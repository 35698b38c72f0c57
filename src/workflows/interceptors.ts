// Workflow interceptors, bundled with the workflows (src/telemetry/interceptors.ts names
// this module for the worker and for the test bundle). Deterministic code only.
//
// The SDK's OpenTelemetry interceptors give each workflow a RunWorkflow span and each
// activity it schedules a StartActivity span, propagated to the activity's RunActivity
// span through headers. They would also carry the crawl's trace into every download it
// starts; a download outlives its crawl (parent close policy ABANDON) and may run for
// hours, so it starts a trace of its own instead: one trace per crawl, one per download.
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import { interceptors as openTelemetryInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
import type { WorkflowInterceptors, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

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
  const openTelemetry = openTelemetryInterceptors();
  return {
    ...openTelemetry,
    // After OpenTelemetry's: it adds the header (and records the start in the crawl's
    // trace), then this takes the header off before the start leaves the workflow.
    outbound: [...(openTelemetry.outbound ?? []), new ChildInOwnTrace()],
  };
}
