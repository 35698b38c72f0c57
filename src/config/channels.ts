import { readFile } from 'node:fs/promises';
import path from 'node:path';
// Temporal's own duration parser, so `every: 15m` means exactly what a schedule means by it.
import { msToNumber } from '@temporalio/common/lib/time.js';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { expandBareChannelId } from '../sources/youtube-url.ts';
import type { DownloadOptions, KeepRule } from '../shared/types.ts';

// channels.yaml: the list of channels Parker follows. Each channel entry is validated on
// its own, so one bad entry is reported and left out while every good one is scheduled.

export const MIN_INTERVAL_MS = 60_000; // more often than once a minute only hammers the site
export const MAX_INTERVAL_MS = 30 * 24 * 3_600_000;
export const DEFAULT_EVERY = '30m';
export const DEFAULT_BACKFILL = 3;

const interval = z.string().refine(
  (text) => {
    const millis = parseInterval(text);
    return millis !== undefined && millis >= MIN_INTERVAL_MS && millis <= MAX_INTERVAL_MS;
  },
  { message: 'must be a duration between 1m and 30d, such as 15m, 2h or 1d' },
);
const backfill = z.number().int('must be a whole number').min(0, 'must be 0 or more');
const atLeastOne = z.number().int('must be a whole number').min(1, 'must be 1 or more');
/**
 * Retention: `{ last: N }` keeps the newest N downloaded videos, `{ days: D }` keeps what
 * was downloaded in the last D days, `all` keeps everything (to override a default rule).
 */
const keep = z.preprocess(
  // `all` is the one word allowed; as an object it gets the same checks as the rules.
  (value) => (value === 'all' ? { all: true } : value),
  z
    .object(
      { last: atLeastOne.optional(), days: atLeastOne.optional(), all: z.literal(true).optional() },
      { error: 'must be { last: N }, { days: D } or all' },
    )
    .strict()
    .refine(
      (rule) => [rule.last, rule.days, rule.all].filter((value) => value !== undefined).length === 1,
      'must set exactly one of last and days',
    )
    .transform((rule): KeepRule | 'all' => (rule.all ? 'all' : rule.last !== undefined ? { last: rule.last } : { days: rule.days! })),
);

const channelSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]{0,62}$/i,
        'must be 1 to 63 letters, digits, - or _, starting with a letter or digit',
      ),
    // A bare YouTube channel id (UC…) is accepted and becomes its channel URL.
    url: z.preprocess(
      (value) => (typeof value === 'string' ? expandBareChannelId(value) : value),
      z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, or a YouTube channel id (UC…)' }),
    ),
    every: interval.optional(),
    backfill: backfill.optional(),
    /** yt-dlp format selector for this channel's videos. */
    format: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters').optional(),
    /** A Netscape cookies file yt-dlp sends (members-only, age-restricted videos). */
    cookies: z.string().trim().min(1, 'must be a file path').optional(),
    keep: keep.optional(),
  })
  .strict();

const fileSchema = z
  .object({
    defaults: z
      .object({ every: interval.default(DEFAULT_EVERY), backfill: backfill.default(DEFAULT_BACKFILL), keep: keep.optional() })
      .strict()
      .default({ every: DEFAULT_EVERY, backfill: DEFAULT_BACKFILL }),
    channels: z.array(z.unknown()).default([]),
  })
  .strict();

export interface ChannelConfig {
  name: string;
  url: string;
  /** The interval as written, such as `15m`. */
  every: string;
  everyMs: number;
  backfill: number;
  /** yt-dlp settings; absent when the channel sets none. */
  download?: DownloadOptions;
  /** What the daily maintenance keeps; absent: everything. */
  keep?: KeepRule;
}

export interface ChannelConfigProblem {
  /** The channel's name when the entry has one, else `channels[<index>]`. */
  channel: string;
  message: string;
}

export interface ChannelList {
  file: string;
  channels: ChannelConfig[];
  /** Entries left out, each with what is wrong; the good entries are still in `channels`. */
  problems: ChannelConfigProblem[];
}

/** Thrown when the file as a whole cannot be used (missing, not YAML, wrong top level). */
export class ChannelFileError extends Error {
  override name = 'ChannelFileError';
}

/** `30m` → 1 800 000; undefined for anything that is not a duration. */
export function parseInterval(text: string): number | undefined {
  try {
    const millis = msToNumber(text.trim() as Parameters<typeof msToNumber>[0]);
    return Number.isFinite(millis) ? millis : undefined;
  } catch {
    return undefined;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        return `${field ? `${field}: ` : ''}unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export function parseChannelList(text: string, file: string): ChannelList {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ChannelFileError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const top = fileSchema.safeParse(document ?? {});
  if (!top.success) throw new ChannelFileError(`${file}: ${describeIssues(top.error)}`);
  const { defaults } = top.data;

  const channels: ChannelConfig[] = [];
  const problems: ChannelConfigProblem[] = [];
  const seen = new Set<string>();
  top.data.channels.forEach((entry, index) => {
    const rawName = (entry as { name?: unknown } | null)?.name;
    const label = typeof rawName === 'string' && rawName ? rawName : `channels[${index}]`;
    const parsed = channelSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push({ channel: label, message: `${file}: channel "${label}": ${describeIssues(parsed.error)}` });
      return;
    }
    const { name, url } = parsed.data;
    if (seen.has(name.toLowerCase())) {
      problems.push({ channel: label, message: `${file}: channel "${name}": name: used by an earlier channel` });
      return;
    }
    seen.add(name.toLowerCase());
    const every = parsed.data.every ?? defaults.every;
    const download: DownloadOptions = {};
    if (parsed.data.format) download.format = parsed.data.format;
    // Relative to the channel list, as a person reading the file would take it.
    if (parsed.data.cookies) download.cookies = path.resolve(path.dirname(file), parsed.data.cookies);
    const keepRule = parsed.data.keep ?? defaults.keep;
    channels.push({
      name,
      url,
      every,
      everyMs: parseInterval(every)!,
      backfill: parsed.data.backfill ?? defaults.backfill,
      ...(Object.keys(download).length > 0 ? { download } : {}),
      ...(keepRule && keepRule !== 'all' ? { keep: keepRule } : {}),
    });
  });
  return { file, channels, problems };
}

export async function loadChannelList(file: string): Promise<ChannelList> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ChannelFileError(`${file}: cannot read the channel list: ${(error as Error).message}`);
  }
  return parseChannelList(text, file);
}
