import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { toFailure } from '../../src/activities/failures.ts';
import { loadSettings, SettingsError } from '../../src/config/settings.ts';
import { HttpStatusError, RefusedUrlError, StorageError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { sdkLogger } from '../../src/telemetry/runtime.ts';

// Logged errors say what went wrong and which URL or file it was about, as the SDK logs
// them (under `error`) and as Parker's code does (under `err`); PARKER_LOG_FORMAT forces
// JSON lines or pino-pretty's.

const run = promisify(execFile);

function jsonLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('info', { format: 'json', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines };
}

describe('logged errors', () => {
  test("the SDK's `Activity failed` line carries the message, the cause and the URL at fault", () => {
    const { log, lines } = jsonLogger();
    const refused = new RefusedUrlError('refusing http://127.0.0.1:9/feed.xml: 127.0.0.1 is a loopback address');
    sdkLogger(log).warn('Activity failed', { error: toFailure(refused), durationMs: 3 });
    const error = lines[0]!.error as Record<string, unknown>;
    assert.match(String(error.message), /refusing http:\/\/127\.0\.0\.1:9\/feed\.xml: 127\.0\.0\.1 is a loopback address/);
    assert.equal(error.type, 'ApplicationFailure');
    assert.equal((error.cause as Record<string, unknown>).type, 'RefusedUrlError');
    assert.match(String(error.stack), /RefusedUrlError|ApplicationFailure/);

    sdkLogger(log).warn('Activity failed', { error: toFailure(new HttpStatusError('https://cdn.example/ep1.mp3', 503)) });
    const status = lines[1]!.error as Record<string, unknown>;
    assert.equal(status.url, 'https://cdn.example/ep1.mp3', 'the URL of an error deep in the chain is lifted to the top');
    assert.match(String(status.message), /answered HTTP 503/);
  });

  test('a file system error names its file, under `err` too', () => {
    const { log, lines } = jsonLogger();
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/downloads/a/ep.mp3.part' });
    log.error({ err: StorageError.writing('/downloads/a/ep.mp3.part', enospc) }, 'write failed');
    const err = lines[0]!.err as Record<string, unknown>;
    assert.equal(err.message, 'cannot write /downloads/a/ep.mp3.part: ENOSPC');
    assert.equal(err.path, '/downloads/a/ep.mp3.part');
    assert.equal(err.type, 'DiskFullError');
  });
});

describe('PARKER_LOG_FORMAT', () => {
  test('is pretty or json, or unset', () => {
    assert.equal(loadSettings({ PARKER_LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
    assert.equal(loadSettings({ PARKER_LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.equal(loadSettings({}).logFormat, undefined);
    assert.throws(() => loadSettings({ PARKER_LOG_FORMAT: 'xml' }), (error: unknown) => error instanceof SettingsError && /PARKER_LOG_FORMAT must be pretty or json/.test(error.message));
  });

  // A process of its own, its stdout a pipe (not a terminal): JSON unless told otherwise.
  const script = [
    "import { loadSettings } from './src/config/settings.ts';",
    "import { createLogger } from './src/log.ts';",
    'const settings = loadSettings();',
    "createLogger('info', { format: settings.logFormat }).info({ channel: 'c1' }, 'hello from the test');",
  ].join('\n');
  const logOf = async (format?: string) => {
    const env = { ...process.env, PARKER_LOG_FORMAT: format ?? '' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env });
    return stdout.trim();
  };

  test('unset on a pipe: JSON lines', async () => {
    const line = JSON.parse(await logOf()) as Record<string, unknown>;
    assert.equal(line.msg, 'hello from the test');
  });

  test('pretty on a pipe: pino-pretty lines, not JSON', async () => {
    const output = await logOf('pretty');
    assert.match(output, /INFO.*hello from the test/);
    assert.match(output, /channel: "c1"/);
    assert.throws(() => JSON.parse(output));
  });
});
