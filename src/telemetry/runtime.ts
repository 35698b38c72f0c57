import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime, type MetricsExporterConfig, type RuntimeOptions } from '@temporalio/worker';
import type { TelemetrySettings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { HISTOGRAM_BUCKETS } from './metrics.ts';

// The Temporal runtime, installed once per process, before any worker connects:
//  - its logs, and the activity loggers (Context.current().log), go into Parker's pino
//    stream, so one stream carries everything with workflowId, runId and activity names
//    attached by the SDK;
//  - its metrics (Temporal's worker metrics, and Parker's own, which are recorded through
//    the runtime's meter: see metrics.ts) go to a Prometheus endpoint, or over OTLP.

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function sdkLogger(log: Logger): SdkLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    let pinoLevel = PINO_LEVEL[level];
    // The worker's own INFO lines (state changes, the webpack report of the workflow
    // bundle) are start-up chatter, and the downloads worker has no workflows on purpose;
    // activity and workflow logs keep their level.
    if (meta?.sdkComponent === 'worker' && (pinoLevel === 'info' || message.startsWith('No workflows registered'))) {
      pinoLevel = 'debug';
    }
    // A task token is an opaque credential for completing the task: not for logs.
    const { taskToken: _taskToken, ...fields } = meta ?? {};
    log[pinoLevel](fields, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/**
 * Where the runtime's metrics go. The runtime has one exporter: a Prometheus endpoint
 * when PARKER_METRICS_PORT is set (pull; wins when both are set, and traces still go
 * over OTLP), else OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (push), else nowhere.
 */
export function metricsExporter(telemetry: TelemetrySettings): MetricsExporterConfig | undefined {
  if (telemetry.metrics) {
    return {
      prometheus: {
        bindAddress: `${telemetry.metrics.host}:${telemetry.metrics.port}`,
        // Prometheus' conventions: counters end in _total, durations are in seconds.
        countersTotalSuffix: true,
        useSecondsForDurations: true,
        histogramBucketOverrides: HISTOGRAM_BUCKETS,
      },
    };
  }
  if (telemetry.otlpEndpoint) {
    return {
      otel: {
        url: `${telemetry.otlpEndpoint}/v1/metrics`,
        http: true,
        metricsExportInterval: '10s',
        useSecondsForDurations: true,
        histogramBucketOverrides: HISTOGRAM_BUCKETS,
      },
    };
  }
  return undefined;
}

/** The runtime's options: Parker's logger, and the metrics exporter the settings ask for. */
export function runtimeOptions(log: Logger, telemetry: TelemetrySettings): RuntimeOptions {
  const metrics = metricsExporter(telemetry);
  return { logger: sdkLogger(log), ...(metrics ? { telemetryOptions: { metrics } } : {}) };
}

/** Installs the Temporal runtime; call once per process, before any worker connects. */
export function installRuntime(log: Logger, telemetry: TelemetrySettings): Runtime {
  const runtime = Runtime.install(runtimeOptions(log, telemetry));
  if (telemetry.metrics) {
    log.info(`metrics on http://${telemetry.metrics.host}:${telemetry.metrics.port}/metrics`);
  }
  return runtime;
}
