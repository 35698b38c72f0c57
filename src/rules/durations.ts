// Durations as people and feeds write them. Pure: no I/O, sandbox-safe.

import ms from 'ms';

/** Thrown when configured text is not a duration, or not one its field allows. */
export class DurationError extends Error {
  override name = 'DurationError';
  constructor(
    /** The field at fault, as the user writes it: `every`, `PARKER_SITE_COOLDOWN`. */
    readonly field: string,
    /** What is wrong with it, without the field, for readers that name the field themselves (zod's path). */
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** The durations a field allows, in milliseconds, and the examples its error message gives. */
export interface DurationLimits {
  min: number;
  max: number;
  examples: string;
}

/**
 * `30m` → 1 800 000, `2w` → 1 209 600 000: every duration in the configuration is read
 * here, in the `ms` package's syntax, the one Temporal's SDK reads its own durations in
 * (a bare number is milliseconds). Throws DurationError naming `field` for anything else,
 * or for a duration outside `limits`.
 */
export function parseDuration(text: string, field: string, limits?: DurationLimits): number {
  const trimmed = text.trim();
  // `ms` throws on an empty string and returns undefined for text it cannot read. Its
  // StringValue type is for literals in code; text from a file is checked at run time.
  const millis = trimmed ? ms(trimmed as ms.StringValue) : undefined;
  if (millis === undefined || !Number.isFinite(millis)) {
    throw new DurationError(field, limits ? withinLimits(limits) : 'must be a duration such as 30m, 2h or 1d');
  }
  if (limits && (millis < limits.min || millis > limits.max)) throw new DurationError(field, withinLimits(limits));
  return millis;
}

function withinLimits(limits: DurationLimits): string {
  // ms(60_000) is `1m`: the limits read the way the user writes durations.
  return `must be a duration between ${ms(limits.min)} and ${ms(limits.max)}, such as ${limits.examples}`;
}

/**
 * A clock-style length, as podcasts write `<itunes:duration>`: `3725` (seconds),
 * `62:05` (MM:SS) or `1:02:05` (HH:MM:SS), fractions of a second allowed on the last
 * part. Undefined for anything else (an empty tag, "about an hour").
 */
export function parseClockSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+(?::\d{1,2}){0,2}(?:\.\d+)?$/.test(trimmed)) return undefined;
  const parts = trimmed.split(':').map(Number);
  // Minutes and seconds after the first part are 0–59; "1:75" is not a time.
  if (parts.slice(1).some((part) => part >= 60)) return undefined;
  const seconds = parts.reduce((total, part) => total * 60 + part, 0);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/**
 * A length written in channels.yaml: a number of seconds (`90`), a duration (`90s`,
 * `10m`, `1h`) or a clock (`1:30:00`). Undefined when it is none of them or negative.
 */
export function parseLengthSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const clock = parseClockSeconds(value);
  if (clock !== undefined) return clock;
  // A bare number would be milliseconds to `ms`; bare numbers were seconds above.
  if (!/[a-z]\s*$/i.test(value)) return undefined;
  try {
    const millis = parseDuration(value, 'length');
    return millis >= 0 ? millis / 1000 : undefined;
  } catch {
    return undefined; // neither a clock nor a duration: the caller names the field
  }
}

/** 3725 → `1:02:05`, 65 → `1:05`: how a person reads a video's length. */
export function formatClock(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
