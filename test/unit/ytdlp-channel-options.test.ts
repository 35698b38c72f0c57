import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseChannelList } from '../../src/config/channels.ts';
import { contentArgs } from '../../src/downloaders/ytdlp.ts';
import { extraArgsProblem } from '../../src/ytdlp/extra-args.ts';

// channels.yaml's yt-dlp options (sponsorblock, embed, audio_only, extra_args): what the
// config accepts, what it refuses (naming channel and field), and the flags they become.

const FILE = '/etc/parker/channels.yaml';

function parse(yaml: string) {
  return parseChannelList(yaml, FILE);
}

describe('yt-dlp options in channels.yaml', () => {
  test('each option reaches the channel\'s download settings; the defaults apply where a channel sets none', () => {
    const list = parse(`defaults:
  sponsorblock: { mark: [sponsor, intro] }
  embed: [metadata, thumbnail]
channels:
  - name: plain
    url: https://www.youtube.com/@plain
  - name: podcast
    url: https://www.youtube.com/@talks
    audio_only: true
    sponsorblock: { remove: [all, -filler] }
  - name: mp3s
    url: https://www.youtube.com/@music
    audio_only: true
    audio_format: mp3
    embed: [chapters, subtitles]
    subtitles: [en]
    extra_args: [--limit-rate, 5M, "--concurrent-fragments=4", -S, "res,codec"]
`);
    assert.deepEqual(list.problems, []);
    const [plain, podcast, mp3s] = list.channels.map((channel) => channel.download);
    assert.deepEqual(plain, { embed: ['metadata', 'thumbnail'], sponsorblock: { mark: ['sponsor', 'intro'] } });
    assert.deepEqual(podcast, { embed: ['metadata', 'thumbnail'], sponsorblock: { remove: ['all', '-filler'] }, audioFormat: 'm4a' });
    assert.deepEqual(mp3s, {
      embed: ['chapters', 'subtitles'],
      subtitles: ['en'],
      sponsorblock: { mark: ['sponsor', 'intro'] },
      audioFormat: 'mp3',
      extraArgs: ['--limit-rate', '5M', '--concurrent-fragments=4', '-S', 'res,codec'],
    });
  });

  test('a channel says audio_only: false to keep video where the defaults say audio only', () => {
    const list = parse(`defaults:
  audio_only: true
channels:
  - name: video
    url: https://www.youtube.com/@v
    audio_only: false
`);
    assert.deepEqual(list.problems, []);
    assert.equal(list.channels[0]!.download, undefined);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['sponsor', 'sponsorblock: { mark: [sponsor, adverts] }', /channel "bad": sponsorblock\.mark: unknown SponsorBlock category "adverts"; yt-dlp knows sponsor, intro/],
    ['remove-poi', 'sponsorblock: { remove: [poi_highlight] }', /sponsorblock\.remove: "poi_highlight" can be marked but not removed/],
    ['empty-sponsor', 'sponsorblock: {}', /sponsorblock: must set mark or remove/],
    ['sponsor-key', 'sponsorblock: { skip: [sponsor] }', /sponsorblock: unknown field "skip"/],
    ['embed', 'embed: [metadata, watermark]', /embed\.1: must be one of metadata, thumbnail, chapters, subtitles/],
    ['embed-subs', 'embed: [subtitles]', /embed: "subtitles" needs the languages in subtitles:/],
    ['audio-format', 'audio_only: true\n    audio_format: flac', /audio_format: must be one of m4a, mp3, opus/],
    ['audio-format-alone', 'audio_format: mp3', /audio_format: has no effect without audio_only: true/],
    ['audio-only', 'audio_only: "yes"', /audio_only: must be true or false/],
    ['exec', 'extra_args: [--exec, "touch /tmp/x"]', /extra_args: "--exec" is not allowed: it runs commands/],
    ['output', 'extra_args: ["-o", "/etc/%(id)s"]', /extra_args: "-o" is not allowed: Parker decides where files go/],
    ['config', 'extra_args: ["--config-locations=/root/x.conf"]', /extra_args: "--config-locations" is not allowed: it reads files outside DOWNLOAD_DIR/],
    ['proxy', 'extra_args: [--proxy, "http://10.0.0.1:3128"]', /extra_args: "--proxy" is not allowed: it would bypass the address policy/],
    ['unknown', 'extra_args: [--write-pages]', /extra_args: "--write-pages" is not allowed \(not on the allow-list/],
    ['url', 'extra_args: ["https://evil.example/x"]', /extra_args: "https:\/\/evil\.example\/x" is not an option/],
  ];
  for (const [name, field, message] of bad) {
    test(`refused, naming the channel and field, with the others scheduled: ${name}`, () => {
      const list = parse(`channels:
  - name: good
    url: https://www.youtube.com/@good
  - name: bad
    url: https://www.youtube.com/@bad
    ${field}
  - name: also-good
    url: https://www.youtube.com/@alsogood
`);
      assert.deepEqual(list.channels.map((channel) => channel.name), ['good', 'also-good']);
      assert.equal(list.problems.length, 1, JSON.stringify(list.problems));
      assert.equal(list.problems[0]!.channel, 'bad');
      assert.match(list.problems[0]!.message, /^\/etc\/parker\/channels\.yaml: channel "bad": /);
      assert.match(list.problems[0]!.message, message);
    });
  }
});

describe('extra_args allow-list', () => {
  test('allowed options with their values, written either way', () => {
    assert.equal(extraArgsProblem(['--limit-rate', '5M', '-N', '4', '--extractor-args', 'youtube:player_client=default,mweb', '--force-ipv4']), undefined);
    assert.equal(extraArgsProblem(['--impersonate=chrome', '--add-headers', 'Referer:https://example.com/']), undefined);
  });
  test('a value where none belongs, or none where one does, is named', () => {
    assert.match(extraArgsProblem(['--force-ipv4=yes'])!, /"--force-ipv4" takes no value/);
    assert.match(extraArgsProblem(['--limit-rate'])!, /"--limit-rate" needs a value/);
  });
  test('extractor arguments that point at a file or program are refused', () => {
    assert.match(extraArgsProblem(['--extractor-args', 'youtubepot-bgutilscript:script_path=/tmp/x.js'])!, /name a file or program/);
  });
  test('options that run, read or write elsewhere are refused', () => {
    for (const option of ['--exec', '--netrc-cmd', '--paths', '--batch-file', '--cookies-from-browser', '--download-archive', '--ffmpeg-location', '--js-runtimes', '--remote-components', '--plugin-dirs', '--parse-metadata', '--ppa']) {
      assert.match(extraArgsProblem([option, 'x'])!, new RegExp(`"${option}" is not allowed`), option);
    }
  });
});

describe('yt-dlp flags per option', () => {
  test('sponsorblock, embed and audio only become yt-dlp\'s own flags; extra args come first so Parker\'s win', () => {
    assert.deepEqual(
      contentArgs({
        extraArgs: ['--limit-rate', '5M'],
        sponsorblock: { mark: ['all', '-preview'], remove: ['sponsor'] },
        embed: ['metadata', 'thumbnail', 'chapters', 'subtitles'],
        subtitles: ['en', 'de'],
        audioFormat: 'opus',
      }),
      [
        '--limit-rate',
        '5M',
        '--sponsorblock-mark',
        'all,-preview',
        '--sponsorblock-remove',
        'sponsor',
        '--embed-metadata',
        '--embed-thumbnail',
        '--embed-chapters',
        '--sub-langs',
        'en,de',
        '--embed-subs',
        '--extract-audio',
        '--audio-format',
        'opus',
      ],
    );
  });
  test('subtitles written as sidecars are not asked for twice when embedded', () => {
    assert.deepEqual(contentArgs({ embed: ['subtitles'], write: ['subtitles'], subtitles: ['en'] }), ['--embed-subs']);
  });
  test('no options, no flags', () => {
    assert.deepEqual(contentArgs(undefined), []);
  });
});
