// What a failed yt-dlp run means, read from its `ERROR:` lines. Pure: no I/O.
//
// yt-dlp reports a site's refusal in words, not codes: YouTube's own playability text
// ("Private video. Sign in if you've been granted access…") or yt-dlp's
// ("Unsupported URL: …", "HTTP Error 429: Too Many Requests"). The patterns below are
// matched against the real strings in test/unit/ytdlp-classify.test.ts.

/** Why a video will never download, however often it is tried. */
export type PermanentReason = 'private' | 'removed' | 'members-only' | 'age-restricted' | 'geo-blocked' | 'unsupported-url';

export type YtDlpVerdict =
  /** Parker's own proxy refused a connection (src/http/forward-proxy.ts): the address policy, final. */
  | { kind: 'refused'; message: string }
  /** The site refuses this video for good: record the reason, do not retry. */
  | { kind: 'permanent'; reason: PermanentReason; message: string }
  /** The site is throttling us (HTTP 429, "confirm you're not a bot"): retry, much later. */
  | { kind: 'rate-limited'; message: string }
  /** A premiere or scheduled stream: it exists but starts later; wait, then try again. */
  | { kind: 'upcoming'; message: string; startsInMs?: number }
  /** Anything else (network, 5xx, a crash): an ordinary retry may help. */
  | { kind: 'transient'; message: string };

// Order matters: "Sign in to confirm your age" must be read as age, not as a login wall,
// and "Sign in to confirm you're not a bot" as throttling.
const PERMANENT: Array<[PermanentReason, RegExp]> = [
  ['age-restricted', /confirm your age|age[- ]restricted|inappropriate for some users/i],
  ['members-only', /members[- ]only|available to this channel's members|join this channel to get access/i],
  ['private', /\bprivate video\b|this video is private|video is unavailable because it is private/i],
  [
    'geo-blocked',
    /not made this video available in your country|not available (?:from|in) your (?:location|country)|geo[- ]?restrict/i,
  ],
  [
    'removed',
    /has been removed|no longer available|account associated with this video has been terminated|video unavailable|this video does not exist|\bHTTP Error 410\b|\bHTTP Error 404\b/i,
  ],
  ['unsupported-url', /^(?:ERROR:\s*)?Unsupported URL:/im],
];

/**
 * The proxy's refusal, as yt-dlp prints it (a tunnel's status line or an HTTP error). A site
 * could answer 403 in the same words: it then only refuses its own video for good.
 */
const REFUSED_BY_PROXY = /\b(?:403:?\s+)Parker refused\b/;

const RATE_LIMITED = /HTTP Error 429|Too Many Requests|confirm you(?:['’]re| are) not a bot|rate-limited by YouTube/i;

const UPCOMING = /Premieres in|Premiere will begin|live event will begin|This live event|will begin in|scheduled to start|is_upcoming|waiting for scheduled stream/i;

const UNITS_MS: Record<string, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

/** "Premieres in 5 hours" → 5 h; "in a few moments" → 1 min; undefined when no time is given. */
export function startsIn(message: string): number | undefined {
  if (/in a few moments|shortly/i.test(message)) return 60_000;
  const match = /\bin (\d+|an?|one) (second|minute|hour|day|week)s?\b/i.exec(message);
  if (!match) return undefined;
  const count = /^\d+$/.test(match[1]!) ? Number(match[1]) : 1;
  return count * UNITS_MS[match[2]!.toLowerCase()]!;
}

/** The `ERROR:` lines of yt-dlp's stderr, else its last non-empty line. */
export function errorLines(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const errors = lines.filter((line) => line.startsWith('ERROR:'));
  return (errors.length > 0 ? errors : lines.slice(-1)).join('\n');
}

/** Classifies what yt-dlp printed on stderr when it exited non-zero. */
export function classifyYtDlpError(stderr: string): YtDlpVerdict {
  const message = errorLines(stderr) || 'yt-dlp failed without a message';
  if (REFUSED_BY_PROXY.test(message)) return { kind: 'refused', message };
  if (RATE_LIMITED.test(message)) return { kind: 'rate-limited', message };
  if (UPCOMING.test(message)) return { kind: 'upcoming', message, startsInMs: startsIn(message) };
  for (const [reason, pattern] of PERMANENT) {
    if (pattern.test(message)) return { kind: 'permanent', reason, message };
  }
  return { kind: 'transient', message };
}
