import pino, { type DestinationStream, type Logger } from 'pino';

// One JSON-lines logger for Parker; human-readable (pino-pretty) when run in a terminal,
// or as PARKER_LOG_FORMAT says.

export type { Logger };

/** `json`: one JSON object a line. `pretty`: pino-pretty's coloured lines. */
export type LogFormat = 'json' | 'pretty';

/** Fields of an error, or of an error in its cause chain, that name what was at fault. */
const AT_FAULT = ['url', 'path', 'file', 'configPath'] as const;

/**
 * An error as a log field: its type, message and stack, its causes with theirs, and the
 * URL or file at fault, wherever in the chain it is. JSON.stringify of an Error has none
 * of these (only the enumerable fields: `{"name":"RefusedUrlError"}`).
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.errWithCause(error) as unknown as Record<string, unknown>;
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    for (const field of AT_FAULT) {
      const value = (cause as unknown as Record<string, unknown>)[field];
      if (typeof value === 'string' && serialized[field] === undefined) serialized[field] = value;
    }
  }
  return serialized;
}

export interface LoggerOptions {
  name?: string;
  /** Unset: pretty in a terminal, JSON otherwise. */
  format?: LogFormat;
  /** Where JSON lines go (tests); stdout by default. */
  destination?: DestinationStream;
}

export function createLogger(level: string, { name = 'parker', format, destination }: LoggerOptions = {}): Logger {
  const pretty = (format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  const options = {
    name,
    level,
    // The SDK logs failures under `error`; Parker's own code under `err`, as pino does.
    serializers: { err: serializeError, error: serializeError },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY, ignore: 'pid,hostname' } } } : {}),
  };
  return destination && !pretty ? pino(options, destination) : pino(options);
}
