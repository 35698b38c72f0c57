// Durations as people and feeds write them. Pure: no I/O, sandbox-safe.

// Temporal's own duration parser (the `ms` package's syntax), the one `every:` uses too.
import { msToNumber } from '@temporalio/common/lib/time.js';

/** `30m` → 1 800 000, `2w` → 1 209 600 000; undefined for anything that is not a duration. */
export function parseMs(text: string): number | undefined {
  try {
    const millis = msToNumber(text.trim() as Parameters<typeof msToNumber>[0]);
    return Number.isFinite(millis) ? millis : undefined;
  } catch {
    return undefined;
  }
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
  const millis = parseMs(value);
  return millis !== undefined && millis >= 0 ? millis / 1000 : undefined;
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
