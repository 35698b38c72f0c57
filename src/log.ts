import pino, { type Logger } from 'pino';

// One JSON-lines logger for Parker; human-readable (pino-pretty) when run in a terminal.

export type { Logger };

export function createLogger(level: string, name = 'parker'): Logger {
  const pretty = process.stdout.isTTY;
  return pino({
    name,
    level,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } } : {}),
  });
}
