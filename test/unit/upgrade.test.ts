import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseChannelList } from '../../src/config/channels.ts';
import { isBetterFormat, UPGRADE_CHECK_INTERVAL_MS, upgradeWindow } from '../../src/rules/upgrade.ts';
import { lastLine, parseFormatJson } from '../../src/ytdlp/format.ts';

// Quality upgrades, the pure parts: `upgrade:` in channels.yaml, which rows a check looks
// at, what counts as better, and the format line yt-dlp prints.

const FILE = '/etc/parker/channels.yaml';

describe('upgrade: in channels.yaml', () => {
  test('a channel\'s own, the defaults\', and false to turn a default off', () => {
    const list = parseChannelList(
      `defaults:
  upgrade: { within: 7d }
channels:
  - name: plain
    url: https://www.youtube.com/@plain
  - name: longer
    url: https://www.youtube.com/@longer
    upgrade: { within: 30d }
  - name: never
    url: https://www.youtube.com/@never
    upgrade: false
`,
      FILE,
    );
    assert.deepEqual(list.problems, []);
    assert.deepEqual(
      list.channels.map((channel) => [channel.name, channel.upgrade]),
      [
        ['plain', { within: '7d', withinMs: 7 * 86_400_000 }],
        ['longer', { within: '30d', withinMs: 30 * 86_400_000 }],
        ['never', undefined],
      ],
    );
  });

  test('a bad `within` names the channel and the field; the other channels are still scheduled', () => {
    const list = parseChannelList(
      `channels:
  - name: good
    url: https://www.youtube.com/@good
    upgrade: { within: 7d }
  - name: notaduration
    url: https://www.youtube.com/@a
    upgrade: { within: soon }
  - name: tooshort
    url: https://www.youtube.com/@b
    upgrade: { within: 5m }
  - name: typo
    url: https://www.youtube.com/@c
    upgrade: { whithin: 7d }
  - name: bare
    url: https://www.youtube.com/@d
    upgrade: 7d
`,
      FILE,
    );
    assert.deepEqual(list.channels.map((channel) => channel.name), ['good']);
    const messages = list.problems.map((problem) => problem.message);
    assert.equal(messages.length, 4);
    assert.match(messages[0]!, /channel "notaduration": upgrade\.within: must be a duration between 1h and 365d, such as 7d/);
    assert.match(messages[1]!, /channel "tooshort": upgrade\.within: must be a duration between 1h and 365d/);
    assert.match(messages[2]!, /channel "typo": upgrade/);
    assert.match(messages[3]!, /channel "bare": upgrade: must be \{ within: <duration> \} or false/);
  });

  test('a bad default fails the file, naming defaults.upgrade.within', () => {
    assert.throws(
      () => parseChannelList('defaults:\n  upgrade: { within: whenever }\nchannels: []\n', FILE),
      /defaults\.upgrade\.within: must be a duration/,
    );
  });
});

describe('upgrade rules', () => {
  test('a greater height is better; the same format, a lower or an unknown height is not', () => {
    const stored = { id: '18', height: 360 };
    assert.equal(isBetterFormat(stored, { id: '22', height: 720 }), true);
    assert.equal(isBetterFormat(stored, { id: '137+140', height: 1080 }), true);
    assert.equal(isBetterFormat(stored, { id: '18', height: 360 }), false);
    assert.equal(isBetterFormat(stored, { id: '243', height: 360 }), false, 'same height, another format');
    assert.equal(isBetterFormat(stored, { id: '160', height: 144 }), false);
    assert.equal(isBetterFormat(stored, { id: 'hls-1' }), false);
    assert.equal(isBetterFormat({ id: 'mp4' }, { id: '22', height: 720 }), false, 'nothing to compare with');
  });

  test('the window: downloaded within `within`, not asked about in the last day', () => {
    const now = new Date('2026-03-10T04:00:00Z');
    const window = upgradeWindow(now, 7 * 86_400_000);
    assert.equal(window.downloadedSince.toISOString(), '2026-03-03T04:00:00.000Z');
    assert.equal(window.checkedBefore.getTime(), now.getTime() - UPGRADE_CHECK_INTERVAL_MS);
    assert.equal(UPGRADE_CHECK_INTERVAL_MS, 86_400_000, 'once a day');
  });
});

describe('format lines', () => {
  test('format id and height, from what FORMAT_FIELDS_TEMPLATE prints', () => {
    assert.deepEqual(parseFormatJson('{"format_id": "137+140", "height": 1080}'), { id: '137+140', height: 1080 });
    assert.deepEqual(parseFormatJson('{"format_id": "mp4"}'), { id: 'mp4' }, 'a direct link has no height');
    assert.deepEqual(parseFormatJson('{"format_id": "251", "height": null}'), { id: '251' });
  });

  test('anything else is no format', () => {
    for (const line of ['', 'NA', '{"height": 720}', '{"format_id": ""}', '[1]', 'null', '{"format_id": 18}']) {
      assert.equal(parseFormatJson(line), undefined, line);
    }
  });

  test('a file appended to by a resumed run: the last line is this run\'s', () => {
    assert.equal(lastLine('{"format_id": "18"}\n{"format_id": "22"}\n'), '{"format_id": "22"}');
  });
});
