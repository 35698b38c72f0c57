import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JS_RUNTIME_PATTERN } from '../../src/ytdlp/js-runtime.ts';
import { invocationArgs } from '../../src/ytdlp/invocation.ts';
import { AddressPolicy } from '../../src/http/address-policy.ts';
import { optionalWarnings, parseDebugHeader, youtubeWarnings } from '../../src/ytdlp/setup.ts';

// yt-dlp's `-v` header as 2026.10.26 prints it, with and without its default extras.
const WITH_EXTRAS = `[debug] Command-line config: ['--ignore-config', '-v', '--js-runtimes', 'deno:/app/node_modules/deno/bin.cjs']
[debug] yt-dlp version stable@2026.10.26 from yt-dlp/yt-dlp [c91f8de0b] (pip)
[debug] exe versions: ffmpeg 5.1.9-0 (setts), ffprobe 5.1.9-0
[debug] Optional libraries: Cryptodome-3.24.2, brotli-1.2.1, certifi-2026.10.19, mutagen-1.48.1, requests-2.34.2, sqlite3-3.40.1, urllib3-2.8.0, websockets-17.4, yt_dlp_ejs-0.8.0
[debug] JS runtimes: deno-2.9.6
[debug] Proxy map: {}
`;
const BARE = `[debug] yt-dlp version stable@2026.10.26 from yt-dlp/yt-dlp [c91f8de0b] (pip)
[debug] Optional libraries: sqlite3-3.40.1
[debug] JS runtimes: node-20.20.2 (unsupported)
`;

describe('yt-dlp start-up report', () => {
  test('the runtime and yt-dlp-ejs are read from the header', () => {
    const report = parseDebugHeader(WITH_EXTRAS, '2026.10.26');
    assert.deepEqual(report.jsRuntimes, ['deno-2.9.6']);
    assert.equal(report.ejsVersion, '0.8.0');
    assert.ok(report.optionalLibraries.includes('brotli-1.2.1'));
    assert.deepEqual(youtubeWarnings(report, 'deno:/app/node_modules/deno/bin.cjs'), []);
  });

  test('an unsupported runtime and a missing yt-dlp-ejs are two warnings that say what to do', () => {
    const report = parseDebugHeader(BARE, '2026.10.26');
    assert.equal(report.ejsVersion, undefined);
    const warnings = youtubeWarnings(report, 'node:/usr/bin/node');
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /no usable JavaScript runtime \(asked for node:\/usr\/bin\/node; it reports node-20\.20\.2 \(unsupported\)\).*PARKER_JS_RUNTIME/);
    assert.match(warnings[1]!, /yt-dlp-ejs is not installed.*scripts\/ensure-ytdlp\.sh/);
  });

  test('no runtime at all is reported as none', () => {
    const report = parseDebugHeader(BARE.replace(/JS runtimes: .*/, 'JS runtimes: none'), '2026.10.26');
    assert.deepEqual(report.jsRuntimes, []);
    assert.match(youtubeWarnings(report, undefined)[0]!, /it found none/);
  });

  test('a yt-dlp from before 2025.11.12 is one warning: it cannot take a runtime at all', () => {
    const warnings = youtubeWarnings({ version: '2025.10.22', jsRuntimes: [], optionalLibraries: [], pluginDirectories: [] }, undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /2025\.10\.22 is older than 2025\.11\.12 .*JavaScript challenges/);
  });
});

describe('optional parts: the PO-token provider', () => {
  const withPlugin = parseDebugHeader(`${WITH_EXTRAS}[debug] Plugin directories: /app/.tools/ytdlp/lib/python3.11/site-packages/yt_dlp_plugins\n`, '2026.10.26');
  const withoutPlugin = parseDebugHeader(`${WITH_EXTRAS}[debug] Plugin directories: none\n`, '2026.10.26');
  const invocation = { binary: 'yt-dlp', potProviderUrl: 'http://127.0.0.1:4416' };

  test('the plugin directory is read from the header', () => {
    assert.deepEqual(withPlugin.pluginDirectories, ['/app/.tools/ytdlp/lib/python3.11/site-packages/yt_dlp_plugins']);
    assert.deepEqual(withoutPlugin.pluginDirectories, []);
  });
  test('a provider URL without the plugin, or on an address the policy refuses, is a warning each', () => {
    assert.deepEqual(optionalWarnings(withPlugin, invocation, new AddressPolicy(['127.0.0.1'])), []);
    const warnings = optionalWarnings(withoutPlugin, invocation, new AddressPolicy([]));
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /loads no plugins: .*PARKER_YTDLP_OPTIONAL=pot-provider/);
    assert.match(warnings[1]!, /http:\/\/127\.0\.0\.1:4416 cannot be reached by yt-dlp: 127\.0\.0\.1 is a loopback address; add it to PARKER_ALLOW_PRIVATE/);
  });
  test('no provider asked for, no warning', () => {
    assert.deepEqual(optionalWarnings(withoutPlugin, { binary: 'yt-dlp' }, new AddressPolicy([])), []);
  });
});

describe('yt-dlp invocation', () => {
  test('a runtime replaces yt-dlp\'s defaults, and remote components stay off', () => {
    assert.deepEqual(invocationArgs({ binary: 'yt-dlp', jsRuntime: 'deno:/d/deno' }), [
      '--ignore-config',
      '--no-cache-dir',
      '--no-js-runtimes',
      '--js-runtimes',
      'deno:/d/deno',
      '--no-remote-components',
    ]);
    assert.deepEqual(invocationArgs({ binary: 'yt-dlp' }), ['--ignore-config', '--no-cache-dir']);
    assert.deepEqual(invocationArgs({ binary: 'yt-dlp', proxy: 'http://127.0.0.1:8123', potProviderUrl: 'http://10.1.2.3:4416' }), [
      '--ignore-config',
      '--no-cache-dir',
      '--proxy',
      'http://127.0.0.1:8123',
      '--extractor-args',
      'youtubepot-bgutilhttp:base_url=http://10.1.2.3:4416',
    ]);
  });

  test('PARKER_JS_RUNTIME takes a kind yt-dlp knows, with an optional path', () => {
    for (const good of ['deno', 'node:/usr/local/bin/node', 'bun:/opt/bun', 'quickjs']) assert.match(good, JS_RUNTIME_PATTERN);
    for (const bad of ['', 'python:/usr/bin/python3', '/usr/bin/node', 'node:']) assert.doesNotMatch(bad, JS_RUNTIME_PATTERN);
  });
});
