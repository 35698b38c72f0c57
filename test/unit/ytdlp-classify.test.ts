import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyYtDlpError, startsIn } from '../../src/ytdlp/classify.ts';

// yt-dlp's own words, as it prints them on stderr (YouTube's playability reasons come
// through verbatim). Each must land in the right class: a wrong "permanent" loses a
// video for good, a wrong "transient" hammers a site that said no.

const PERMANENT: Array<[string, string]> = [
  ['private', "ERROR: [youtube] abcdefghijk: Private video. Sign in if you've been granted access to this video. Use --cookies-from-browser or --cookies for the authentication."],
  ['removed', 'ERROR: [youtube] abcdefghijk: Video unavailable. This video has been removed by the uploader'],
  ['removed', 'ERROR: [youtube] abcdefghijk: Video unavailable. This video is no longer available because the YouTube account associated with this video has been terminated.'],
  ['removed', "ERROR: [youtube] abcdefghijk: This video has been removed for violating YouTube's Terms of Service"],
  ['removed', 'ERROR: [youtube] abcdefghijk: Video unavailable'],
  ['removed', 'ERROR: unable to download video data: HTTP Error 404: Not Found'],
  ['members-only', 'ERROR: [youtube] abcdefghijk: Join this channel to get access to members-only content like this video, and other exclusive perks.'],
  ['members-only', "ERROR: [youtube] abcdefghijk: This video is available to this channel's members on level: Tier 1 (or any higher level). Join this channel to get access to members-only content and other exclusive perks."],
  ['age-restricted', 'ERROR: [youtube] abcdefghijk: Sign in to confirm your age. This video may be inappropriate for some users. Use --cookies-from-browser or --cookies for the authentication.'],
  ['geo-blocked', 'ERROR: [youtube] abcdefghijk: The uploader has not made this video available in your country'],
  ['geo-blocked', 'ERROR: [vimeo] 123456: This video is not available from your location due to geo restriction'],
  ['unsupported-url', 'ERROR: Unsupported URL: https://example.org/not-a-video'],
];

const RATE_LIMITED = [
  'ERROR: [youtube] abcdefghijk: Unable to download API page: HTTP Error 429: Too Many Requests (caused by <HTTPError 429: Too Many Requests>)',
  'ERROR: unable to download video data: HTTP Error 429: Too Many Requests',
  "ERROR: [youtube] abcdefghijk: Sign in to confirm you’re not a bot. Use --cookies-from-browser or --cookies for the authentication. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually export your YouTube cookies.",
  "ERROR: [youtube] abcdefghijk: Sign in to confirm you're not a bot. This helps protect our community.",
  "ERROR: [youtube] abcdefghijk: Video unavailable. This content isn't available, try again later. The current session has been rate-limited by YouTube for up to an hour.",
];

const UPCOMING: Array<[string, number | undefined]> = [
  ['ERROR: [youtube] abcdefghijk: Premieres in 5 hours', 5 * 3_600_000],
  ['ERROR: [youtube] abcdefghijk: This live event will begin in 3 days.', 3 * 86_400_000],
  ['ERROR: [youtube] abcdefghijk: This live event will begin in a few moments.', 60_000],
  ['ERROR: [youtube] abcdefghijk: Premieres in 20 minutes', 20 * 60_000],
];

const TRANSIENT = [
  'ERROR: unable to download video data: HTTP Error 503: Service Unavailable',
  'ERROR: unable to download video data: HTTP Error 403: Forbidden',
  'ERROR: [generic] Unable to download webpage: <urlopen error [Errno 111] Connection refused> (caused by TransportError(...))',
  'ERROR: The downloaded file is empty',
];

describe('classifyYtDlpError', () => {
  for (const [reason, message] of PERMANENT) {
    test(`permanent (${reason}): ${message.slice(0, 70)}`, () => {
      const verdict = classifyYtDlpError(`[youtube] Extracting URL\n${message}\n`);
      assert.deepEqual(verdict, { kind: 'permanent', reason, message });
    });
  }
  for (const message of RATE_LIMITED) {
    test(`rate-limited: ${message.slice(0, 70)}`, () => {
      assert.equal(classifyYtDlpError(message).kind, 'rate-limited');
    });
  }
  for (const [message, ms] of UPCOMING) {
    test(`upcoming: ${message}`, () => {
      assert.deepEqual(classifyYtDlpError(message), { kind: 'upcoming', message, startsInMs: ms });
    });
  }
  for (const message of TRANSIENT) {
    test(`transient: ${message.slice(0, 70)}`, () => {
      assert.equal(classifyYtDlpError(message).kind, 'transient');
    });
  }
  // What yt-dlp 2026.10.26 prints when Parker's proxy refuses it, for http and for a CONNECT tunnel.
  for (const stderr of [
    'ERROR: [generic] x: Unable to download webpage: HTTP Error 403: Parker refused 169.254.169.254:80: 169.254.169.254 is a link-local address; add it to PARKER_ALLOW_PRIVATE to allow it (caused by <HTTPError 403: Parker refused 169.254.169.254:80: …>)',
    "ERROR: [generic] x: Unable to download webpage: ('Unable to connect to proxy', OSError('Tunnel connection failed: 403 Parker refused 127.0.0.2:8443: 127.0.0.2 is a loopback address; add it to PARKER_ALLOW_PRIVATE to allow it'))",
  ]) {
    test(`the proxy's refusal is a refusal, not a retry: ${stderr.slice(50, 110)}`, () => {
      assert.equal(classifyYtDlpError(stderr).kind, 'refused');
    });
  }
  test('a plain 403 from a site is not a refusal of the proxy', () => {
    assert.equal(classifyYtDlpError('ERROR: [generic] x: Unable to download webpage: HTTP Error 403: Forbidden').kind, 'transient');
  });

  test('only the ERROR lines make the message; warnings are left out', () => {
    const verdict = classifyYtDlpError('WARNING: [youtube] something odd\nERROR: Unsupported URL: https://x.test/\n');
    assert.equal(verdict.message, 'ERROR: Unsupported URL: https://x.test/');
  });
  test('no ERROR line: the last line is the message', () => {
    assert.deepEqual(classifyYtDlpError('Traceback...\nKeyError: x\n'), { kind: 'transient', message: 'KeyError: x' });
  });
  test('startsIn reads "an hour" and knows nothing when no time is given', () => {
    assert.equal(startsIn('Premieres in an hour'), 3_600_000);
    assert.equal(startsIn('This live event has not started'), undefined);
  });
});
