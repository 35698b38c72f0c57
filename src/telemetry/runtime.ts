import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from '../log.ts';

// The Temporal SDK's logs, and the activity loggers (Context.current().log), go into
// Parker's pino stream, so one stream carries everything with workflowId, runId and
// activity names attached by the SDK.

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

/** Installs the Temporal runtime with Parker's logger; call once, before any worker connects. */
export function installRuntime(log: Logger): void {
  Runtime.install({ logger: sdkLogger(log) });
}
