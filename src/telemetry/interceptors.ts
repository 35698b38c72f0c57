import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { siblingModulePath } from '../module-path.ts';
import type { Tracing } from './tracing.ts';

// The worker's half of tracing: the activity interceptors, and the sink through which the
// workflow sandbox hands out its spans. The workflow half is a module bundled with the
// workflows; every bundle Parker builds (the worker's own, the tests' shared one) must
// name the same modules, so they are listed here once.

/** Modules of workflow interceptors, for Worker.create or bundleWorkflowCode. */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [
  siblingModulePath('../workflows/interceptors.ts', import.meta.url),
];

/** Worker options that trace activities and export the workflows' spans. */
export function tracingWorkerOptions(tracing: Tracing): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
          // Puts the trace and span ids on the activity's log lines.
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
