import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import {
  ChannelFileError,
  DEFAULT_BACKFILL,
  DEFAULT_EVERY,
  parseChannelList,
} from '../../src/config/channels.ts';
import { loadSettings, SettingsError } from '../../src/config/settings.ts';
import { claimRatePerSecond, siteOfUrl } from '../../src/config/sites.ts';
import { containerNameOf } from '../../src/config/container-name.ts';
import { DurationError, parseDuration } from '../../src/rules/durations.ts';

const FILE = '/etc/parker/channels.yaml';

/** The one problem reported for a channel label (fails when there is not exactly one). */
function problemFor(list: ReturnType<typeof parseChannelList>, channel: string): string {
  const found = list.problems.filter((p) => p.channel === channel);
  assert.equal(found.length, 1, `expected one problem for ${channel}, got ${JSON.stringify(list.problems)}`);
  return found[0]!.message;
}

describe('parseChannelList: good files', () => {
  test('applies the built-in defaults', () => {
    const list = parseChannelList(
      `channels:
  - name: news
    url: https://example.com/news.xml
`,
      FILE,
    );
    assert.equal(list.file, FILE);
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.channels, [
      { name: 'news', url: 'https://example.com/news.xml', every: '30m', everyMs: 1_800_000, backfill: 3 },
    ]);
    assert.equal(DEFAULT_EVERY, '30m');
    assert.equal(DEFAULT_BACKFILL, 3);
  });

  test('applies the file\'s defaults, and a channel\'s own values win', () => {
    const list = parseChannelList(
      `defaults:
  every: 2h
  backfill: 10
channels:
  - name: uses-defaults
    url: https://example.com/a.xml
  - name: own_values
    url: http://example.com/b.xml
    every: 15m
    backfill: 0
  - name: everything
    url: https://www.youtube.com/@everything
    backfill: all
`,
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.channels, [
      { name: 'uses-defaults', url: 'https://example.com/a.xml', every: '2h', everyMs: 7_200_000, backfill: 10 },
      { name: 'own_values', url: 'http://example.com/b.xml', every: '15m', everyMs: 900_000, backfill: 0 },
      { name: 'everything', url: 'https://www.youtube.com/@everything', every: '2h', everyMs: 7_200_000, backfill: 'all' },
    ]);
  });

  test('a defaults block with only one field keeps the built-in default for the other', () => {
    const list = parseChannelList(
      `defaults:
  backfill: 1
channels:
  - name: a
    url: https://example.com/a.xml
`,
      FILE,
    );
    assert.equal(list.channels[0]?.every, '30m');
    assert.equal(list.channels[0]?.backfill, 1);
  });

  test('an empty file is an empty list', () => {
    const empty = { file: FILE, channels: [], problems: [], sites: { sites: [], fallback: {} } };
    assert.deepEqual(parseChannelList('', FILE), empty);
    assert.deepEqual(parseChannelList('# nothing yet\n', FILE), empty);
  });

  test('the interval limits themselves are accepted (1m and 30d)', () => {
    const list = parseChannelList(
      `channels:
  - { name: fastest, url: "https://example.com/1", every: 1m }
  - { name: slowest, url: "https://example.com/2", every: 30d }
`,
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(
      list.channels.map((c) => c.everyMs),
      [60_000, 30 * 24 * 3_600_000],
    );
  });
});

describe('parseChannelList: bad entries', () => {
  const text = `defaults:
  every: 1h
channels:
  - name: good-first
    url: https://example.com/first.xml
  - name: bad-url
    url: not a url
  - name: ftp-url
    url: ftp://example.com/feed.xml
  - name: file-url
    url: file:///etc/passwd
  - name: negative
    url: https://example.com/n.xml
    backfill: -1
  - name: fraction
    url: https://example.com/f.xml
    backfill: 1.5
  - name: some-backfill
    url: https://example.com/s.xml
    backfill: some
  - name: too-often
    url: https://example.com/t.xml
    every: 10s
  - name: minus
    url: https://example.com/m.xml
    every: -5m
  - name: banana
    url: https://example.com/b.xml
    every: banana
  - name: too-rare
    url: https://example.com/r.xml
    every: 31d
  - name: extra
    url: https://example.com/e.xml
    colour: red
  - url: https://example.com/anonymous.xml
  - name: "has space"
    url: https://example.com/s.xml
  - name: GOOD-FIRST
    url: https://example.com/again.xml
  - name: good-last
    url: https://example.com/last.xml
    every: 45m
`;
  const list = parseChannelList(text, FILE);

  test('the good entries are still returned, in order', () => {
    assert.deepEqual(
      list.channels.map((c) => c.name),
      ['good-first', 'good-last'],
    );
    assert.equal(list.channels[1]?.everyMs, 45 * 60_000);
  });

  test('every bad entry is reported exactly once', () => {
    assert.equal(list.problems.length, 14);
  });

  test('every problem message names the file and the channel', () => {
    for (const problem of list.problems) {
      assert.ok(problem.message.startsWith(`${FILE}: `), problem.message);
      assert.ok(problem.message.includes(`channel "${problem.channel}"`), problem.message);
    }
  });

  const fieldOf: [string, string, RegExp][] = [
    ['bad-url', 'url', /http:\/\/ or https:\/\//],
    ['ftp-url', 'url', /http:\/\/ or https:\/\//],
    ['file-url', 'url', /http:\/\/ or https:\/\//],
    ['negative', 'backfill', /0 or more/],
    ['fraction', 'backfill', /whole number/],
    ['some-backfill', 'backfill', /a number of entries or "all"/],
    ['too-often', 'every', /between 1m and 30d/],
    ['minus', 'every', /between 1m and 30d/],
    ['banana', 'every', /between 1m and 30d/],
    ['too-rare', 'every', /between 1m and 30d/],
    ['has space', 'name', /letters, digits/],
  ];
  for (const [channel, field, reason] of fieldOf) {
    test(`"${channel}" is reported on its ${field} field`, () => {
      const message = problemFor(list, channel);
      assert.ok(message.includes(`${FILE}: channel "${channel}": ${field}: `), message);
      assert.match(message, reason);
    });
  }

  test('an unknown key is named', () => {
    const message = problemFor(list, 'extra');
    assert.ok(message.includes(`channel "extra"`), message);
    assert.ok(message.includes('"colour"'), message);
    assert.match(message, /unknown field/);
  });

  test('an entry without a name is labelled by its index and names the field', () => {
    const message = problemFor(list, 'channels[12]');
    assert.ok(message.startsWith(`${FILE}: channel "channels[12]": name: `), message);
  });

  test('a duplicate name (any case) is reported, the first one kept', () => {
    const message = problemFor(list, 'GOOD-FIRST');
    assert.ok(message.startsWith(`${FILE}: channel "GOOD-FIRST": name: `), message);
    assert.match(message, /earlier channel/);
    assert.equal(list.channels[0]?.url, 'https://example.com/first.xml');
  });

  test('an entry that is not a mapping is reported by index', () => {
    const other = parseChannelList(
      `channels:
  - just a string
  -
  - name: ok
    url: https://example.com/ok.xml
`,
      FILE,
    );
    assert.deepEqual(
      other.problems.map((p) => p.channel),
      ['channels[0]', 'channels[1]'],
    );
    for (const problem of other.problems) assert.ok(problem.message.startsWith(`${FILE}: channel "${problem.channel}"`));
    assert.deepEqual(
      other.channels.map((c) => c.name),
      ['ok'],
    );
  });

  test('a number where a duration belongs is reported on that field', () => {
    const other = parseChannelList(
      `channels:
  - name: numeric
    url: https://example.com/n.xml
    every: 15
`,
      FILE,
    );
    assert.match(problemFor(other, 'numeric'), /channel "numeric": every: /);
    assert.equal(other.channels.length, 0);
  });
});

describe('parseChannelList: unusable files', () => {
  const cases: [string, string][] = [
    ['not YAML', 'channels: [ {name: a, url: https://example.com'],
    ['tabs for indentation', 'channels:\n\t- name: a'],
    ['a list at the top', '- name: a\n  url: https://example.com/a.xml\n'],
    ['a string at the top', 'hello world'],
    ['a number at the top', '42'],
    ['channels that is not a list', 'channels: 5'],
    ['channels that is a mapping', 'channels:\n  news: https://example.com/n.xml'],
    ['a misspelt top-level key', 'chanels:\n  - name: a\n    url: https://example.com/a.xml'],
    ['a bad default interval', 'defaults:\n  every: 5s'],
    ['a bad default backfill', 'defaults:\n  backfill: -3'],
    ['an unknown default', 'defaults:\n  retries: 3'],
  ];
  for (const [name, text] of cases) {
    test(`${name} throws ChannelFileError naming the file`, () => {
      assert.throws(
        () => parseChannelList(text, FILE),
        (error: unknown) => {
          assert.ok(error instanceof ChannelFileError, `got ${String(error)}`);
          assert.equal(error.name, 'ChannelFileError');
          assert.ok(error.message.startsWith(`${FILE}: `), error.message);
          return true;
        },
      );
    });
  }

  test('a YAML syntax error says so', () => {
    assert.throws(() => parseChannelList('a: [1, 2', FILE), /not valid YAML/);
  });
});

describe('parseDuration', () => {
  const cases: [string, number][] = [
    ['30m', 1_800_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['90s', 90_000],
    ['500ms', 500],
    [' 1h ', 3_600_000],
  ];
  for (const [text, ms] of cases) {
    test(`${JSON.stringify(text)} → ${ms}`, () => assert.equal(parseDuration(text, 'every'), ms));
  }
  for (const text of ['banana', '', '   ', '1 fortnight', '5'.repeat(101)]) {
    test(`${JSON.stringify(text.slice(0, 20))} is refused, naming the field`, () => {
      assert.throws(
        () => parseDuration(text, 'every'),
        (error: Error) => error instanceof DurationError && error.field === 'every' && /^every must be a duration/.test(error.message),
      );
    });
  }
  test('limits are part of the error, written as durations', () => {
    const limits = { min: 60_000, max: 30 * 86_400_000, examples: '15m or 2h' };
    assert.equal(parseDuration('1m', 'every', limits), 60_000);
    assert.equal(parseDuration('30d', 'every', limits), 30 * 86_400_000);
    for (const text of ['59s', '31d', '-5m', 'soon']) {
      assert.throws(() => parseDuration(text, 'every', limits), /^DurationError: every must be a duration between 1m and 30d, such as 15m or 2h$/, text);
    }
  });
});

describe('loadSettings', () => {
  test('defaults for an empty environment', () => {
    const settings = loadSettings({});
    assert.equal(settings.temporal.taskQueue, 'parker');
    assert.equal(settings.temporal.namespace, 'default');
    assert.equal(settings.temporal.address, undefined);
    assert.equal(settings.temporal.cliPath, undefined);
    assert.equal(settings.databaseUrl, undefined);
    assert.equal(settings.maxDownloads, 4);
    assert.equal(settings.logLevel, 'info');
    assert.equal(settings.downloadDir, path.resolve('downloads'));
    assert.equal(settings.configPath, path.resolve('channels.yaml'));
    assert.equal(settings.dataDir, path.resolve('data'));
    assert.deepEqual(settings.telemetry, { metrics: undefined, otlpEndpoint: undefined, serviceName: 'parker' });
    for (const dir of [settings.downloadDir, settings.configPath, settings.dataDir]) assert.ok(path.isAbsolute(dir), dir);
  });

  test('reads every variable', () => {
    const settings = loadSettings({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'media',
      TEMPORAL_TASK_QUEUE: 'parker-2',
      TEMPORAL_CLI: '/usr/local/bin/temporal',
      DATABASE_URL: 'mysql://parker:secret@db:3306/parker',
      DOWNLOAD_DIR: 'relative/videos',
      PARKER_CONFIG: '/srv/parker/channels.yaml',
      PARKER_DATA_DIR: '/var/lib/parker',
      PARKER_MAX_DOWNLOADS: '8',
      PARKER_SITE_COOLDOWN: '90m',
      PARKER_ALLOW_PRIVATE: ' 127.0.0.1 , 192.168.0.0/16 ',
      PARKER_HOST_ID: 'nas-1',
      PARKER_WORKER_ROLES: 'download',
      LOG_LEVEL: 'debug',
      YTDLP_PATH: '/opt/yt-dlp/bin/yt-dlp',
      PARKER_ALLOW_OUTDATED_YTDLP: '1',
      YOUTUBE_BASE_URL: 'http://127.0.0.1:9000/',
      PARKER_METRICS_PORT: '9464',
      PARKER_METRICS_HOST: '0.0.0.0',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/',
      OTEL_SERVICE_NAME: 'parker-test',
    });
    assert.deepEqual(settings, {
      temporal: {
        address: 'temporal.internal:7233',
        namespace: 'media',
        taskQueue: 'parker-2',
        cliPath: '/usr/local/bin/temporal',
        tls: undefined,
        apiKey: undefined,
      },
      databaseUrl: 'mysql://parker:secret@db:3306/parker',
      downloadDir: path.resolve('relative/videos'),
      configPath: '/srv/parker/channels.yaml',
      dataDir: '/var/lib/parker',
      maxDownloads: 8,
      siteCooldownMs: 5_400_000,
      diskFullPauseMs: 900_000,
      retryDelaysMs: [3_600_000, 21_600_000, ...Array.from({ length: 7 }, () => 86_400_000)],
      allowPrivate: ['127.0.0.1', '192.168.0.0/16'],
      hostId: 'nas-1',
      hostIdFromContainerName: false,
      roles: { crawl: false, download: true },
      logLevel: 'debug',
      logFormat: undefined,
      ytdlp: { path: '/opt/yt-dlp/bin/yt-dlp', allowOutdated: true },
      apprisePath: '/opt/yt-dlp/bin/apprise',
      youtubeBaseUrl: 'http://127.0.0.1:9000',
      telemetry: {
        metrics: { host: '0.0.0.0', port: 9464 },
        otlpEndpoint: 'http://otel-collector:4318',
        serviceName: 'parker-test',
      },
    });
    assert.ok(path.isAbsolute(settings.downloadDir));
  });

  test('the host id defaults to the machine and the download folder: stable, and distinct per folder', () => {
    const a = loadSettings({ DOWNLOAD_DIR: '/srv/a' }).hostId;
    assert.equal(loadSettings({ DOWNLOAD_DIR: '/srv/a' }).hostId, a);
    assert.notEqual(loadSettings({ DOWNLOAD_DIR: '/srv/b' }).hostId, a);
    assert.match(a, /^[A-Za-z0-9._-]+-[0-9a-f]{8}$/);
    assert.throws(() => loadSettings({ PARKER_HOST_ID: 'a/b' }), /PARKER_HOST_ID/);
  });

  test('PARKER_HOST_ID_FROM=container-name: the id comes from the container, unless PARKER_HOST_ID names one', () => {
    assert.equal(loadSettings({}).hostIdFromContainerName, false);
    assert.equal(loadSettings({ PARKER_HOST_ID_FROM: 'container-name' }).hostIdFromContainerName, true);
    assert.equal(loadSettings({ PARKER_HOST_ID_FROM: 'container-name', PARKER_HOST_ID: 'nas-1' }).hostIdFromContainerName, false);
    assert.throws(() => loadSettings({ PARKER_HOST_ID_FROM: 'hostname' }), /PARKER_HOST_ID_FROM may only be container-name/);
    assert.equal(containerNameOf(['parker-worker-2.parker_default']), 'parker-worker-2');
    assert.equal(containerNameOf(['parker_worker_3.parker_default', 'other']), 'parker_worker_3');
    assert.equal(containerNameOf([]), undefined);
  });

  test('PARKER_WORKER_ROLES: both by default, either alone, nothing else', () => {
    assert.deepEqual(loadSettings({}).roles, { crawl: true, download: true });
    assert.deepEqual(loadSettings({ PARKER_WORKER_ROLES: ' crawl ' }).roles, { crawl: true, download: false });
    assert.deepEqual(loadSettings({ PARKER_WORKER_ROLES: 'download,crawl' }).roles, { crawl: true, download: true });
    assert.throws(() => loadSettings({ PARKER_WORKER_ROLES: 'crawl,transcode' }), /PARKER_WORKER_ROLES lists crawl and\/or download/);
    assert.throws(() => loadSettings({ PARKER_WORKER_ROLES: ',' }), /PARKER_WORKER_ROLES lists crawl and\/or download/);
  });

  test('PARKER_ALLOW_PRIVATE: nothing by default, and a bad entry is named', () => {
    assert.deepEqual(loadSettings({}).allowPrivate, []);
    assert.throws(() => loadSettings({ PARKER_ALLOW_PRIVATE: '127.0.0.1,intranet' }), /PARKER_ALLOW_PRIVATE.*"intranet" is not an IP address/);
  });

  test('yt-dlp defaults to the project\'s own, and an old one is refused unless allowed', () => {
    const settings = loadSettings({});
    assert.match(settings.ytdlp.path, /\.tools\/ytdlp\/bin\/yt-dlp$/);
    assert.equal(settings.ytdlp.allowOutdated, false);
    assert.equal(settings.youtubeBaseUrl, 'https://www.youtube.com');
    assert.throws(() => loadSettings({ YOUTUBE_BASE_URL: 'ftp://x' }), /YOUTUBE_BASE_URL must be an http\(s\) URL/);
    assert.throws(() => loadSettings({ PARKER_ALLOW_OUTDATED_YTDLP: 'yes' }), /PARKER_ALLOW_OUTDATED_YTDLP must be 1 or 0/);
  });

  test('an empty variable counts as unset', () => {
    const settings = loadSettings({ PARKER_MAX_DOWNLOADS: '', DATABASE_URL: '', TEMPORAL_TASK_QUEUE: '', DOWNLOAD_DIR: '' });
    assert.equal(settings.maxDownloads, 4);
    assert.equal(settings.databaseUrl, undefined);
    assert.equal(settings.temporal.taskQueue, 'parker');
    assert.equal(settings.downloadDir, path.resolve('downloads'));
  });

  test('unrelated variables are ignored', () => {
    assert.equal(loadSettings({ PATH: '/usr/bin', HOME: '/root' }).maxDownloads, 4);
  });

  for (const value of ['0', '-1', 'x', '2.5', 'NaN', 'Infinity', '   ']) {
    test(`PARKER_MAX_DOWNLOADS=${JSON.stringify(value)} is a SettingsError naming the variable`, () => {
      assert.throws(
        () => loadSettings({ PARKER_MAX_DOWNLOADS: value }),
        (error: unknown) => {
          assert.ok(error instanceof SettingsError, `got ${String(error)}`);
          assert.equal(error.name, 'SettingsError');
          assert.match(error.message, /PARKER_MAX_DOWNLOADS/);
          return true;
        },
      );
    });
  }

  for (const url of ['postgres://u:p@h/db', 'sqlite:///tmp/x.db', 'http://mysql/', 'mysql:/h/db', ' x mysql://h/db']) {
    test(`DATABASE_URL=${url} is a SettingsError naming the variable`, () => {
      assert.throws(
        () => loadSettings({ DATABASE_URL: url }),
        (error: unknown) => error instanceof SettingsError && error.message.includes('DATABASE_URL') && error.message.includes('mysql://'),
      );
    });
  }

  test('DATABASE_URL with surrounding white space is trimmed', () => {
    assert.equal(loadSettings({ DATABASE_URL: '  mysql://h/db  ' }).databaseUrl, 'mysql://h/db');
  });

  for (const port of ['0', '65536', 'http', '9464.5']) {
    test(`PARKER_METRICS_PORT=${port} is a SettingsError naming the variable`, () => {
      assert.throws(
        () => loadSettings({ PARKER_METRICS_PORT: port }),
        (error: unknown) => error instanceof SettingsError && /PARKER_METRICS_PORT/.test(error.message),
      );
    });
  }

  for (const endpoint of ['otel-collector:4318', 'grpc://otel-collector:4317', 'http://']) {
    test(`OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint} is a SettingsError naming the variable`, () => {
      assert.throws(
        () => loadSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }),
        (error: unknown) => error instanceof SettingsError && /OTEL_EXPORTER_OTLP_ENDPOINT/.test(error.message),
      );
    });
  }

  test('metrics bind to 127.0.0.1 unless PARKER_METRICS_HOST says otherwise', () => {
    assert.deepEqual(loadSettings({ PARKER_METRICS_PORT: '9464' }).telemetry.metrics, { host: '127.0.0.1', port: 9464 });
  });

  test('an unknown LOG_LEVEL is a SettingsError naming the variable', () => {
    assert.throws(() => loadSettings({ LOG_LEVEL: 'loud' }), (error: unknown) => error instanceof SettingsError && /LOG_LEVEL/.test(error.message));
  });

  test('a white-space-only task queue is a SettingsError', () => {
    assert.throws(
      () => loadSettings({ TEMPORAL_TASK_QUEUE: '   ' }),
      (error: unknown) => error instanceof SettingsError && /TEMPORAL_TASK_QUEUE/.test(error.message),
    );
  });

  test('several bad variables are all named in one error', () => {
    assert.throws(
      () => loadSettings({ PARKER_MAX_DOWNLOADS: '0', DATABASE_URL: 'postgres://x' }),
      (error: unknown) =>
        error instanceof SettingsError && error.message.includes('PARKER_MAX_DOWNLOADS') && error.message.includes('DATABASE_URL'),
    );
  });
});

describe('parseChannelList: YouTube and yt-dlp fields', () => {
  test('every YouTube URL form is accepted; a bare channel id becomes its channel URL', () => {
    const list = parseChannelList(
      `channels:
  - { name: handle, url: "https://www.youtube.com/@SomeHandle" }
  - { name: custom, url: "https://www.youtube.com/c/SomeName" }
  - { name: user, url: "https://www.youtube.com/user/somename" }
  - { name: id, url: "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv" }
  - { name: bare, url: UCabcdefghijklmnopqrstuv }
  - { name: playlist, url: "https://www.youtube.com/playlist?list=PL0123456789abcdef" }
`,
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.equal(list.channels.find((c) => c.name === 'bare')?.url, 'https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv');
  });

  test('format and cookies go to the downloads; cookies are relative to the channel list', () => {
    const list = parseChannelList(
      `channels:
  - name: members
    url: https://www.youtube.com/@SomeHandle
    format: "bv*[height<=720]+ba/b"
    cookies: secrets/yt-cookies.txt
  - name: plain
    url: https://example.com/feed.xml
`,
      FILE,
    );
    assert.deepEqual(list.channels[0]?.download, { format: 'bv*[height<=720]+ba/b', cookies: '/etc/parker/secrets/yt-cookies.txt' });
    assert.equal('download' in list.channels[1]!, false, 'no key when nothing is set: schedule args compare equal');
  });

  test('a bad format or an id that is not one names the channel and field', () => {
    const list = parseChannelList(
      `channels:
  - { name: empty-format, url: "https://www.youtube.com/@x", format: "" }
  - { name: not-an-id, url: UCshort }
`,
      FILE,
    );
    assert.match(problemFor(list, 'empty-format'), /channel "empty-format": format: must not be empty/);
    assert.match(problemFor(list, 'not-an-id'), /channel "not-an-id": url: must be an http:\/\/ or https:\/\/ URL, or a YouTube channel id/);
  });
});

test('channels.example.yaml parses without a problem', async () => {
  const { loadChannelList } = await import('../../src/config/channels.ts');
  const list = await loadChannelList(path.resolve('channels.example.yaml'));
  assert.deepEqual(list.problems, []);
  assert.ok(list.channels.some((channel) => channel.download?.format), 'it shows a per-channel format');
  assert.ok(list.channels.some((channel) => channel.rules?.minDurationSeconds && channel.rules.titleExclude), 'it shows filters');
  assert.ok(list.channels.some((channel) => channel.rules?.shorts === false), 'it shows include');
});

describe('loadSettings: Temporal TLS and API key', () => {
  test('no TLS unless asked for; a CA or a client certificate turns it on', () => {
    assert.equal(loadSettings({}).temporal.tls, undefined);
    assert.deepEqual(loadSettings({ TEMPORAL_TLS: '1' }).temporal.tls, {
      caPath: undefined,
      certPath: undefined,
      keyPath: undefined,
      serverName: undefined,
    });
    const tls = loadSettings({ TEMPORAL_TLS_CERT: 'c.pem', TEMPORAL_TLS_KEY: 'k.pem', TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }).temporal.tls;
    assert.equal(tls?.certPath, path.resolve('c.pem'));
    assert.equal(tls?.keyPath, path.resolve('k.pem'));
    assert.equal(tls?.serverName, 'temporal.internal');
  });

  test('a client certificate without its key (or the reverse) is refused, naming both variables', () => {
    assert.throws(() => loadSettings({ TEMPORAL_TLS_CERT: 'c.pem' }), /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/);
    assert.throws(() => loadSettings({ TEMPORAL_TLS_KEY: 'k.pem' }), /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/);
  });

  test('the API key comes from the environment or from a file, and a missing file is named', () => {
    assert.equal(loadSettings({ TEMPORAL_API_KEY: 'secret-1' }).temporal.apiKey, 'secret-1');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parker-key-'));
    const file = path.join(dir, 'api-key');
    writeFileSync(file, 'secret-2\n');
    assert.equal(loadSettings({ TEMPORAL_API_KEY_FILE: file }).temporal.apiKey, 'secret-2');
    assert.throws(() => loadSettings({ TEMPORAL_API_KEY_FILE: path.join(dir, 'missing') }), /TEMPORAL_API_KEY_FILE: cannot read .*missing/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('parseChannelList: filters and include', () => {
  test('filters and include become the crawl rules; a channel field replaces the default field', () => {
    const list = parseChannelList(
      `defaults:
  filters:
    title_exclude: "(?:trailer|teaser)"
    max_items: 20
  include:
    shorts: false
channels:
  - name: plain
    url: https://example.com/a.xml
  - name: picky
    url: https://example.com/b.xml
    filters:
      title_include: '^Episode \\d+'
      min_duration: 2m
      max_duration: "1:30:00"
      published_after: 2024-01-01
      max_items: 5
    include:
      shorts: true
      live: false
  - name: recent
    url: https://example.com/c.xml
    filters:
      min_duration: 90
      published_after: 30d
`,
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(
      list.channels.map((c) => c.rules),
      [
        { titleExclude: '(?:trailer|teaser)', maxItems: 20, shorts: false },
        {
          titleInclude: '^Episode \\d+',
          titleExclude: '(?:trailer|teaser)',
          minDurationSeconds: 120,
          maxDurationSeconds: 5400,
          publishedAfter: '2024-01-01',
          maxItems: 5,
          shorts: true,
          live: false,
        },
        { titleExclude: '(?:trailer|teaser)', minDurationSeconds: 90, publishedAfter: '30d', maxItems: 20, shorts: false },
      ],
    );
  });

  test('a channel without filters or include has no rules key (older schedules compare equal)', () => {
    const list = parseChannelList('channels:\n  - name: a\n    url: https://example.com/a.xml\n', FILE);
    assert.equal('rules' in list.channels[0]!, false);
  });

  const bad = parseChannelList(
    `channels:
  - name: bad-regex
    url: https://example.com/1.xml
    filters: { title_include: "(unclosed" }
  - name: bad-exclude
    url: https://example.com/2.xml
    filters: { title_exclude: "" }
  - name: bad-duration
    url: https://example.com/3.xml
    filters: { min_duration: ten minutes }
  - name: bad-max
    url: https://example.com/4.xml
    filters: { max_duration: "1:75" }
  - name: bad-date
    url: https://example.com/5.xml
    filters: { published_after: 2024-02-31 }
  - name: bad-age
    url: https://example.com/6.xml
    filters: { published_after: last week }
  - name: bad-items
    url: https://example.com/7.xml
    filters: { max_items: 0 }
  - name: min-over-max
    url: https://example.com/8.xml
    filters: { min_duration: 1h, max_duration: 10m }
  - name: bad-include
    url: https://example.com/9.xml
    include: { shorts: "no" }
  - name: unknown-filter
    url: https://example.com/10.xml
    filters: { title: "x" }
  - name: good
    url: https://example.com/11.xml
    filters: { title_include: "ok" }
`,
    FILE,
  );
  for (const [channel, field, pattern] of [
    ['bad-regex', 'filters.title_include', /not a valid regular expression/],
    ['bad-exclude', 'filters.title_exclude', /must not be empty/],
    ['bad-duration', 'filters.min_duration', /must be a length such as 90 \(seconds\), 90s, 10m, 1h or 1:30:00/],
    ['bad-max', 'filters.max_duration', /must be a length/],
    ['bad-date', 'filters.published_after', /must be a date such as 2024-01-01 or an age such as 30d/],
    ['bad-age', 'filters.published_after', /must be a date/],
    ['bad-items', 'filters.max_items', /must be 1 or more/],
    ['min-over-max', 'filters.max_duration', /must not be shorter than min_duration/],
    ['bad-include', 'include.shorts', /boolean/],
    ['unknown-filter', 'filters', /unknown field "title"/],
  ] as Array<[string, string, RegExp]>) {
    test(`"${channel}" is reported with the file, the channel and ${field}`, () => {
      const message = problemFor(bad, channel);
      assert.ok(message.startsWith(`${FILE}: channel "${channel}": `), message);
      if (field !== 'filters') assert.ok(message.includes(`${field}: `), message);
      assert.match(message, pattern);
    });
  }
  test('the good entry is still scheduled', () => {
    assert.deepEqual(bad.channels.map((c) => c.name), ['good']);
  });

  test('min_duration from the defaults above a channel\'s max_duration is reported on the channel', () => {
    const list = parseChannelList(
      `defaults:
  filters: { min_duration: 1h }
channels:
  - name: clash
    url: https://example.com/a.xml
    filters: { max_duration: 10m }
`,
      FILE,
    );
    assert.match(problemFor(list, 'clash'), /channel "clash": filters\.max_duration: must not be shorter than min_duration/);
  });

  test('a broken filter in the defaults makes the file unusable, naming the field', () => {
    assert.throws(
      () => parseChannelList('defaults:\n  filters: { title_include: "[" }\nchannels: []\n', FILE),
      (error: unknown) => error instanceof ChannelFileError && /defaults\.filters\.title_include: not a valid regular expression/.test(error.message),
    );
  });
});

describe('parseChannelList: output template and sidecars', () => {
  test('a channel\'s template, sidecars and languages reach its download options; defaults apply', () => {
    const list = parseChannelList(
      `defaults:
  output: "{channel}/{title} [{id}].{ext}"
  write: [nfo]
channels:
  - name: plain
    url: https://example.com/a.xml
  - name: own
    url: https://example.com/b.xml
    output: "{uploader}/{date} {title}.{ext}"
    write: [info_json, thumbnail, subtitles, nfo, nfo]
    subtitles: [en, de, pt-BR]
`,
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.channels[0]!.download, { output: '{channel}/{title} [{id}].{ext}', write: ['nfo'] });
    assert.deepEqual(list.channels[1]!.download, {
      output: '{uploader}/{date} {title}.{ext}',
      write: ['info_json', 'thumbnail', 'subtitles', 'nfo'],
      subtitles: ['en', 'de', 'pt-BR'],
    });
  });

  const bad: [string, string, RegExp][] = [
    ['an unknown placeholder', 'output: "{channel}/{name}.{ext}"', /output: unknown placeholder \{name\}/],
    ['an absolute template', 'output: "/srv/{title}.{ext}"', /output: must be a relative path/],
    ['a template that climbs', 'output: "{channel}/../../{title}.{ext}"', /output: must not contain "\." or "\.\." folders/],
    ['an unknown sidecar', 'write: [nfo, poster]', /write\.1: must be one of info_json, thumbnail, subtitles, nfo/],
    ['a language pattern', 'write: [subtitles]\n    subtitles: ["en.*"]', /subtitles\.0: must be a language code/],
    ['languages without subtitles', 'subtitles: [en]', /subtitles: has no effect without "subtitles" in write/],
  ];
  for (const [name, yaml, message] of bad) {
    test(`${name} is a problem naming the file, the channel and the field`, () => {
      const list = parseChannelList(
        `channels:
  - name: broken
    url: https://example.com/a.xml
    ${yaml}
  - name: fine
    url: https://example.com/b.xml
`,
        FILE,
      );
      const problem = problemFor(list, 'broken');
      assert.match(problem, /^\/etc\/parker\/channels\.yaml: channel "broken": /);
      assert.match(problem, message);
      assert.deepEqual(list.channels.map((c) => c.name), ['fine']);
    });
  }

  test('a bad template in defaults makes the whole file unusable, naming the field', () => {
    assert.throws(
      () => parseChannelList('defaults:\n  output: "../{title}.{ext}"\nchannels: []\n', FILE),
      (error: unknown) => error instanceof ChannelFileError && /channels\.yaml: defaults\.output: must not contain/.test(error.message),
    );
  });
});

describe('parseChannelList: retention (keep)', () => {
  test('keep per channel, from defaults, and `all` to opt out of a default', () => {
    const list = parseChannelList(
      `defaults:
  keep: { days: 30 }
channels:
  - name: by-default
    url: https://example.com/a.xml
  - name: newest-five
    url: https://example.com/b.xml
    keep: { last: 5 }
  - name: everything
    url: https://example.com/c.xml
    keep: all
`,
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.channels.map((c) => [c.name, c.keep]), [
      ['by-default', { days: 30 }],
      ['newest-five', { last: 5 }],
      ['everything', undefined],
    ]);
    const none = parseChannelList(`channels:\n  - name: plain\n    url: https://example.com/a.xml\n`, FILE);
    assert.equal(none.channels[0]!.keep, undefined, 'no rule: everything is kept');
    assert.equal('keep' in none.channels[0]!, false, 'no key, so the schedule input compares equal');
  });

  test('a bad keep rule is reported by file, channel and field, and the channel left out', () => {
    const cases: Array<[string, RegExp]> = [
      ['{ last: 0 }', /keep\.last: must be 1 or more/],
      ['{ days: 1.5 }', /keep\.days: must be a whole number/],
      ['{ days: -3 }', /keep\.days: must be 1 or more/],
      ['{ last: 3, days: 4 }', /keep: must set exactly one of last and days/],
      ['{}', /keep: must set exactly one of last and days/],
      ['{ weeks: 2 }', /keep: unknown field "weeks"/],
      ['forever', /keep: must be \{ last: N \}, \{ days: D \} or all/],
      ['5', /keep: must be \{ last: N \}, \{ days: D \} or all/],
    ];
    for (const [rule, expected] of cases) {
      const list = parseChannelList(`channels:\n  - name: bad\n    url: https://example.com/a.xml\n    keep: ${rule}\n  - name: good\n    url: https://example.com/b.xml\n`, FILE);
      const message = problemFor(list, 'bad');
      assert.match(message, new RegExp(`^${FILE.replace(/[/.]/g, '\\$&')}: channel "bad": `), rule);
      assert.match(message, expected, rule);
      assert.deepEqual(list.channels.map((c) => c.name), ['good'], rule);
    }
  });

  test('a bad default keep rule makes the whole file unusable, naming the field', () => {
    assert.throws(
      () => parseChannelList(`defaults:\n  keep: { last: 0 }\nchannels: []\n`, FILE),
      (error: Error) => error instanceof ChannelFileError && /channels\.yaml: defaults\.keep\.last: must be 1 or more/.test(error.message),
    );
  });
});

describe('channels.yaml: sites', () => {
  test('named sites with their hosts and limits, and a default for the rest', () => {
    const list = parseChannelList(
      `sites:
  youtube: { hosts: [youtube.com, YouTu.be, googlevideo.com], per_minute: 20, concurrency: 2 }
  vimeo: { hosts: [vimeo.com] }
  default: { per_minute: 120 }
channels: []
`,
      FILE,
    );
    assert.deepEqual(list.sites, {
      sites: [
        { name: 'youtube', hosts: ['youtube.com', 'youtu.be', 'googlevideo.com'], perMinute: 20, concurrency: 2 },
        { name: 'vimeo', hosts: ['vimeo.com'] },
      ],
      fallback: { perMinute: 120 },
    });
  });

  test('a media URL belongs to the site naming its host or a parent domain, the longest name winning', () => {
    const { sites } = parseChannelList(
      `sites:
  youtube: { hosts: [youtube.com, googlevideo.com] }
  shorts: { hosts: [m.youtube.com] }
`,
      FILE,
    );
    assert.equal(siteOfUrl(sites, 'https://www.youtube.com/watch?v=x')?.name, 'youtube');
    assert.equal(siteOfUrl(sites, 'https://rr3---sn-4g5e.GOOGLEVIDEO.com/videoplayback')?.name, 'youtube');
    assert.equal(siteOfUrl(sites, 'https://m.youtube.com/watch?v=x')?.name, 'shorts');
    assert.equal(siteOfUrl(sites, 'https://notyoutube.com/a.mp4'), undefined);
    assert.equal(siteOfUrl(sites, 'https://feeds.example/a.mp3'), undefined);
  });

  test('a bad sites entry makes the whole file unusable, naming the site and the field', () => {
    const cases: [string, RegExp][] = [
      ['youtube: { per_minute: 20 }', /sites\.youtube\.hosts: /],
      ['youtube: { hosts: [https://youtube.com] }', /sites\.youtube\.hosts\.0: must be a host name/],
      ['youtube: { hosts: [youtube.com], per_minute: 0 }', /sites\.youtube\.per_minute: must be more than 0/],
      ['youtube: { hosts: [youtube.com], concurrency: 1.5 }', /sites\.youtube\.concurrency: must be a whole number/],
      ['youtube: { hosts: [youtube.com], rate: 3 }', /sites\.youtube: unknown field "rate"/],
      ['default: { hosts: [a.com] }', /sites\.default: unknown field "hosts"/],
      ['You Tube: { hosts: [youtube.com] }', /sites\.You Tube: a site name is/],
      ['a: { hosts: [x.com] }\n  b: { hosts: [X.com] }', /sites\.b\.hosts: x\.com is named by site a already/],
    ];
    for (const [entry, expected] of cases) {
      assert.throws(
        () => parseChannelList(`sites:\n  ${entry}\nchannels: []\n`, FILE),
        (error: Error) => error instanceof ChannelFileError && expected.test(error.message),
        entry,
      );
    }
  });
});

describe('loadSettings: PARKER_SITE_COOLDOWN', () => {
  test('a duration, one hour by default', () => {
    assert.equal(loadSettings({}).siteCooldownMs, 3_600_000);
    assert.equal(loadSettings({ PARKER_SITE_COOLDOWN: '15m' }).siteCooldownMs, 900_000);
    assert.equal(loadSettings({ PARKER_SITE_COOLDOWN: '2s' }).siteCooldownMs, 2_000);
  });
  test('anything else is refused, naming the variable', () => {
    for (const value of ['soon', '0s', '500ms', '8d', '-1h']) {
      assert.throws(() => loadSettings({ PARKER_SITE_COOLDOWN: value }), /PARKER_SITE_COOLDOWN must be a duration between 1s and 7d/, value);
    }
  });
});

describe('loadSettings: PARKER_RETRY_DELAYS and PARKER_DISK_FULL_PAUSE', () => {
  test('a comma-separated list of durations, 1h, 6h, then a day seven times by default', () => {
    assert.deepEqual(loadSettings({}).retryDelaysMs, [3_600_000, 21_600_000, ...Array.from({ length: 7 }, () => 86_400_000)]);
    assert.deepEqual(loadSettings({ PARKER_RETRY_DELAYS: '2s, 1m,1h' }).retryDelaysMs, [2_000, 60_000, 3_600_000]);
  });
  test('a list with anything but durations is refused, naming the variable', () => {
    for (const value of ['soon', '1h,,2h', '1h,0s']) {
      assert.throws(() => loadSettings({ PARKER_RETRY_DELAYS: value }), /PARKER_RETRY_DELAYS must be a duration/, value);
    }
  });
  test('the disk-full pause is a duration, 15 minutes by default', () => {
    assert.equal(loadSettings({}).diskFullPauseMs, 900_000);
    assert.equal(loadSettings({ PARKER_DISK_FULL_PAUSE: '5m' }).diskFullPauseMs, 300_000);
    assert.throws(() => loadSettings({ PARKER_DISK_FULL_PAUSE: '2d' }), /PARKER_DISK_FULL_PAUSE must be a duration/);
  });
});

describe('parseChannelList: notify', () => {
  const yaml = (defaults: string, channel: string) =>
    `defaults:\n${defaults}\nchannels:\n  - name: one\n    url: https://example.org/feed.xml\n${channel}\n  - name: two\n    url: https://example.org/two.xml\n`;

  test('the defaults go to every channel; a field the channel sets replaces the same field', () => {
    const list = parseChannelList(
      yaml('  notify:\n    webhook: https://hooks.example/parker', '    notify:\n      apprise: ["json://127.0.0.1:8080/in"]\n      on: [failed]'),
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(list.channels[0]!.notify, { webhook: 'https://hooks.example/parker', apprise: ['json://127.0.0.1:8080/in'], on: ['failed'] });
    assert.deepEqual(list.channels[1]!.notify, { webhook: 'https://hooks.example/parker', on: ['downloaded', 'failed'] });
  });

  test('no notify anywhere, or `on: []`, sends nothing', () => {
    const list = parseChannelList(yaml('  every: 1h', '    notify:\n      webhook: https://hooks.example/x\n      on: []'), FILE);
    assert.equal(list.channels[0]!.notify, undefined);
    assert.equal(list.channels[1]!.notify, undefined);
  });

  test('bad notify fields name the channel and the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['    notify:\n      webhook: ftp://x/y', /channel "one": notify\.webhook: must be an http:\/\/ or https:\/\/ URL/],
      ['    notify:\n      apprise: ["not a url"]', /channel "one": notify\.apprise\.0: must be an Apprise URL/],
      ['    notify:\n      apprise: []', /channel "one": notify\.apprise: must list at least one URL/],
      ['    notify:\n      on: [started]', /channel "one": notify\.on\.0: must be one of downloaded, failed/],
      ['    notify:\n      email: me@example.org', /channel "one": notify: unknown field "email"/],
    ];
    for (const [channel, message] of cases) {
      const list = parseChannelList(yaml('  every: 1h', channel), FILE);
      assert.equal(list.channels.length, 1, channel);
      assert.match(list.problems[0]?.message ?? '', message);
    }
  });
});

test("a site's claim rate sits just under per_minute, so the server's burst stays the rate rounded up", () => {
  for (const perMinute of [20, 60, 120, 600]) {
    const rate = claimRatePerSecond(perMinute);
    assert.ok(rate < perMinute / 60 && rate > (perMinute / 60) * 0.99, `${perMinute}: ${rate}`);
    assert.equal(Math.ceil(rate), Math.ceil(perMinute / 60), 'the burst the server derives from it is unchanged');
    // The most a token bucket hands out in one second: its burst and one second's refill.
    assert.equal(Math.floor(Math.ceil(rate) + rate), Math.max(1, 2 * Math.ceil(perMinute / 60) - 1));
  }
});
