import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ParkerError } from '../errors.ts';
import { FailureType, type FailureTypeName } from '../shared/failure-types.ts';
import { expandBareChannelId } from '../sources/youtube-url.ts';
import { compileTitlePattern, publishedAfterTime } from '../rules/filters.ts';
import { DurationError, parseDuration, parseLengthSeconds, type DurationLimits } from '../rules/durations.ts';
import { outputTemplateProblem } from '../naming/output-template.ts';
import { UPGRADE_WITHIN_LIMITS } from '../rules/upgrade.ts';
import type { Backfill, ChannelRules } from '../shared/crawl.ts';
import {
  AUDIO_FORMATS,
  EMBED_KINDS,
  SIDECAR_KINDS,
  SPONSORBLOCK_CATEGORIES,
  SPONSORBLOCK_UNREMOVABLE,
  type DownloadOptions,
} from '../shared/download.ts';
import { extraArgsProblem } from '../ytdlp/extra-args.ts';
import { MISSING_POLICIES, type KeepRule, type MissingPolicy } from '../shared/maintenance.ts';
import { MEDIA_SERVER_KINDS, type MediaServerKind } from '../shared/media-refresh.ts';
import { sitesSchema, type SiteList } from './sites.ts';

// channels.yaml: the list of channels Parker follows. Each channel entry is validated on
// its own, so one bad entry is reported and left out while every good one is scheduled.

export const MIN_INTERVAL_MS = 60_000; // more often than once a minute only hammers the site
export const MAX_INTERVAL_MS = 30 * 24 * 3_600_000;
export const DEFAULT_EVERY = '30m';
export const DEFAULT_BACKFILL = 3;
/** A file deleted by hand is kept as a record, never fetched again unless a channel asks. */
export const DEFAULT_MISSING_POLICY: MissingPolicy = 'keep-record';

const EVERY_LIMITS: DurationLimits = { min: MIN_INTERVAL_MS, max: MAX_INTERVAL_MS, examples: '15m, 2h or 1d' };

const interval = z.string().superRefine((text, context) => {
  try {
    parseDuration(text, 'every', EVERY_LIMITS);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    // zod's path names the field (`every`, `defaults.every`): the issue says what is wrong.
    context.addIssue({ code: 'custom', message: error.problem });
  }
});
/** How far back a channel's first crawl goes: the newest N entries, or `all`. */
const backfill = z
  .union([z.number(), z.literal('all')], { error: 'must be a number of entries or "all"' })
  .superRefine((value, context) => {
    if (value === 'all') return;
    if (!Number.isInteger(value)) context.addIssue({ code: 'custom', message: 'must be a whole number' });
    else if (value < 0) context.addIssue({ code: 'custom', message: 'must be 0 or more' });
  });
/** Where a video's files go, e.g. `{channel}/{date} {title} [{id}].{ext}` (src/naming/output-template.ts). */
const output = z
  .string()
  .max(500, 'must be at most 500 characters')
  .superRefine((template, context) => {
    const problem = outputTemplateProblem(template);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
/** Files written next to the media on request. */
const write = z.array(z.enum(SIDECAR_KINDS, { error: `must be one of ${SIDECAR_KINDS.join(', ')}` }));
// Language codes as yt-dlp and file names take them (en, de, pt-BR); never a pattern, so
// each one names exactly the `<stem>.<lang>.vtt` file it yields.
const subtitles = z
  .array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,2}$/, 'must be a language code such as en, de or pt-BR'))
  .min(1, 'must name at least one language')
  .max(20, 'must name at most 20 languages');
const sidecarFields = { output: output.optional(), write: write.optional(), subtitles: subtitles.optional() };

/** SponsorBlock categories for mark or remove; `-name` excludes one (`[all, -preview]`). */
const sponsorCategories = (use: 'mark' | 'remove') =>
  z
    .array(z.string())
    .min(1, 'must name at least one category')
    .superRefine((categories, context) => {
      for (const category of categories) {
        const name = category.replace(/^-/, '');
        if (!(SPONSORBLOCK_CATEGORIES as readonly string[]).includes(name)) {
          context.addIssue({ code: 'custom', message: `unknown SponsorBlock category "${category}"; yt-dlp knows ${SPONSORBLOCK_CATEGORIES.join(', ')}` });
        } else if (use === 'remove' && SPONSORBLOCK_UNREMOVABLE.includes(name)) {
          context.addIssue({ code: 'custom', message: `"${name}" can be marked but not removed` });
        }
      }
    });
const sponsorblock = z
  .object({ mark: sponsorCategories('mark').optional(), remove: sponsorCategories('remove').optional() }, { error: 'must be { mark: [...] } and/or { remove: [...] }' })
  .strict()
  .refine((value) => value.mark !== undefined || value.remove !== undefined, 'must set mark or remove (or both)');
/**
 * `upgrade: { within: 7d }`: the videos downloaded within that long are asked about once
 * a day, and a better format replaces the file (src/workflows/upgrade.ts); `false` turns
 * a default off for one channel.
 */
const upgrade = z.union(
  [
    z.literal(false),
    z
      .object({
        within: z.string({ error: 'must be a duration such as 7d' }).superRefine((text, context) => {
          try {
            parseDuration(text, 'within', UPGRADE_WITHIN_LIMITS);
          } catch (error) {
            if (!(error instanceof DurationError)) throw error;
            context.addIssue({ code: 'custom', message: error.problem });
          }
        }),
      })
      .strict(),
  ],
  { error: 'must be { within: <duration> } or false' },
);
/** yt-dlp's options for what the file holds, per channel or in `defaults:`. */
const ytdlpFields = {
  upgrade: upgrade.optional(),
  sponsorblock: sponsorblock.optional(),
  embed: z.array(z.enum(EMBED_KINDS, { error: `must be one of ${EMBED_KINDS.join(', ')}` })).optional(),
  audio_only: z.boolean({ error: 'must be true or false' }).optional(),
  audio_format: z.enum(AUDIO_FORMATS, { error: `must be one of ${AUDIO_FORMATS.join(', ')}` }).optional(),
  extra_args: z
    .array(z.string({ error: 'must be a list of strings' }))
    .superRefine((args, context) => {
      const problem = extraArgsProblem(args);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
};
/** What `audio_only` converts to when no `audio_format` is given. */
export const DEFAULT_AUDIO_FORMAT = 'm4a';

const titlePattern = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((pattern, context) => {
    try {
      compileTitlePattern(pattern);
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
    }
  });
const length = z
  .union([z.number(), z.string()], { error: 'must be a length such as 90 (seconds), 90s, 10m, 1h or 1:30:00' })
  .refine((value) => parseLengthSeconds(value) !== undefined, {
    message: 'must be a length such as 90 (seconds), 90s, 10m, 1h or 1:30:00',
  })
  .transform((value) => parseLengthSeconds(value)!);
const publishedAfter = z.preprocess(
  // An unquoted date that a YAML 1.1 reader turned into a Date means the same day.
  (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
  z
    .string({ error: 'must be a date such as 2024-01-01 or an age such as 30d' })
    .refine((text) => publishedAfterTime(text, new Date()) !== undefined, {
      message: 'must be a date such as 2024-01-01 or an age such as 30d',
    }),
);

/** `filters:` in channels.yaml: which entries of a listing are downloaded. */
const filtersSchema = z
  .object({
    title_include: titlePattern.optional(),
    title_exclude: titlePattern.optional(),
    min_duration: length.optional(),
    max_duration: length.optional(),
    published_after: publishedAfter.optional(),
    max_items: z.number().int('must be a whole number').min(1, 'must be 1 or more').optional(),
  })
  .strict()
  .refine(
    (filters) =>
      filters.min_duration === undefined || filters.max_duration === undefined || filters.min_duration <= filters.max_duration,
    { message: 'must not be shorter than min_duration', path: ['max_duration'] },
  );
/** `include:` in channels.yaml: whether Shorts and live streams are downloaded (both by default). */
const includeSchema = z.object({ shorts: z.boolean().optional(), live: z.boolean().optional() }).strict();
type Filters = z.infer<typeof filtersSchema>;
type Include = z.infer<typeof includeSchema>;
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

/** `feed:` in channels.yaml: how the channel's podcast feed (src/library/) is served. */
const feedSchema = z
  .object({
    // The address other machines reach Parker at (a reverse proxy): the feed's links use it.
    public_url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    // List only episodes whose file is audio (a channel downloaded as audio for a podcast app).
    audio_only: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

/** `missing:` in channels.yaml: what the maintenance's verify step does about a file deleted by hand. */
const missing = z.enum(MISSING_POLICIES, { error: `must be ${MISSING_POLICIES.join(' or ')}` });

/**
 * One entry of `media_server:` in channels.yaml: a Jellyfin, Emby or Plex server whose
 * library is refreshed after downloads. The key or token may sit in a file (a secret).
 */
const mediaServerSchema = z
  .object({
    kind: z.enum(MEDIA_SERVER_KINDS, { error: `must be ${MEDIA_SERVER_KINDS.join(', ')}` }),
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'must be 1 to 63 letters, digits, - or _').optional(),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    api_key: z.string().trim().min(1, 'must not be empty').optional(),
    api_key_file: z.string().trim().min(1, 'must be a file path').optional(),
    token: z.string().trim().min(1, 'must not be empty').optional(),
    token_file: z.string().trim().min(1, 'must be a file path').optional(),
    /** Plex library section ids to refresh; default all. */
    sections: z.array(z.union([z.number().int().min(0), z.string().regex(/^[0-9]+$/)]), { error: 'must be a list of section ids' }).min(1).optional(),
  })
  .strict()
  .superRefine((server, context) => {
    const [secret, file] = server.kind === 'plex' ? (['token', 'token_file'] as const) : (['api_key', 'api_key_file'] as const);
    if ((server[secret] === undefined) === (server[file] === undefined)) {
      context.addIssue({ code: 'custom', message: `${server.kind} needs exactly one of ${secret} and ${file}`, path: [secret] });
    }
    const wrong = server.kind === 'plex' ? (['api_key', 'api_key_file'] as const) : (['token', 'token_file', 'sections'] as const);
    for (const field of wrong) if (server[field] !== undefined) context.addIssue({ code: 'custom', message: `is not used by ${server.kind}`, path: [field] });
  });
/** The events a channel's notifications are sent on. */
export const NOTIFY_EVENTS = ['downloaded', 'failed'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** `notify:` in channels.yaml: where word of a finished or failed video goes. */
const notifySchema = z
  .object({
    /** Gets a JSON POST per event (src/notify/webhook.ts). */
    webhook: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    /** Apprise URLs (json://, mailto://, tgram://, ntfy://…), sent with the apprise CLI (src/notify/apprise.ts). */
    apprise: z
      .array(z.string().trim().regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/i, 'must be an Apprise URL such as json://host:port/path or ntfy://topic'))
      .min(1, 'must list at least one URL')
      .optional(),
    /** Which events are sent; both by default, none with `[]`. */
    on: z.array(z.enum(NOTIFY_EVENTS, { error: `must be one of ${NOTIFY_EVENTS.join(', ')}` })).optional(),
  })
  .strict();
type Notify = z.infer<typeof notifySchema>;

/** Where a channel's notifications go, the defaults' merged with the channel's. */
export interface NotifyConfig {
  webhook?: string;
  apprise?: string[];
  on: NotifyEvent[];
}

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
    filters: filtersSchema.optional(),
    include: includeSchema.optional(),
    ...sidecarFields,
    ...ytdlpFields,
    keep: keep.optional(),
    feed: feedSchema.optional(),
    missing: missing.optional(),
    notify: notifySchema.optional(),
  })
  .strict();

const fileSchema = z
  .object({
    defaults: z
      .object({
        every: interval.default(DEFAULT_EVERY),
        backfill: backfill.default(DEFAULT_BACKFILL),
        filters: filtersSchema.optional(),
        include: includeSchema.optional(),
        ...sidecarFields,
        ...ytdlpFields,
        keep: keep.optional(),
        missing: missing.optional(),
        notify: notifySchema.optional(),
      })
      .strict()
      .default({ every: DEFAULT_EVERY, backfill: DEFAULT_BACKFILL }),
    channels: z.array(z.unknown()).default([]),
    sites: sitesSchema,
    // Each entry validated on its own, as channels are: one bad server leaves the rest working.
    media_server: z.array(z.unknown(), { error: 'must be a list of servers' }).default([]),
  })
  .strict();

export interface ChannelConfig {
  name: string;
  url: string;
  /** The interval as written, such as `15m`. */
  every: string;
  everyMs: number;
  backfill: Backfill;
  /** yt-dlp settings; absent when the channel sets none. */
  download?: DownloadOptions;
  /** Filters and include rules, the defaults' merged with the channel's; absent when there are none. */
  rules?: ChannelRules;
  /** What the daily maintenance keeps; absent: everything. */
  keep?: KeepRule;
  /** Where notifications go; absent when the channel (and the defaults) send none. */
  notify?: NotifyConfig;
  /** How its podcast feed is served; absent: from the address it is asked at, every episode. */
  feed?: ChannelFeedOptions;
  /** What the verify step does when a downloaded file is gone; absent: DEFAULT_MISSING_POLICY. */
  missing?: MissingPolicy;
  /** Quality upgrades of the videos downloaded within `within`; absent: none. */
  upgrade?: UpgradeConfig;
}

export interface UpgradeConfig {
  /** As written, such as `7d`. */
  within: string;
  withinMs: number;
}

export interface ChannelFeedOptions {
  /** Base URL of the feed's links (no trailing slash), when Parker is reached through another address. */
  publicUrl?: string;
  /** List only the episodes whose file is audio. */
  audioOnly?: boolean;
}

export interface ChannelConfigProblem {
  /** The channel's name when the entry has one, else `channels[<index>]`. */
  channel: string;
  message: string;
}

/** A media server from `media_server:`; its secret is read from the file when it is there. */
export interface MediaServerConfig {
  kind: MediaServerKind;
  /** Unique among the servers: `<kind>` or `<kind>-<n>` unless set. */
  name: string;
  /** Base URL, no trailing slash. */
  url: string;
  /** The Jellyfin/Emby API key or the Plex token, or the file that holds it. */
  secret: { value: string } | { file: string };
  /** Plex sections to refresh; absent: all. */
  sections?: string[];
}

export interface ChannelList {
  file: string;
  channels: ChannelConfig[];
  /** The media servers refreshed after downloads (absent: none); the channels' downloads ask for it when there is one. */
  mediaServers?: MediaServerConfig[];
  /** Entries left out, each with what is wrong; the good entries are still in `channels`. */
  problems: ChannelConfigProblem[];
  /** The per-site download limits (`sites:`); a bad entry fails the whole file. */
  sites: SiteList;
}

/** Thrown when the file as a whole cannot be used (missing, not YAML, wrong top level): fixing it takes a person. */
export class ChannelFileError extends ParkerError {
  override name = 'ChannelFileError';
  readonly failureType: FailureTypeName = FailureType.InvalidChannelList;
  readonly retryable = false;
}

/**
 * The crawl's rules from the defaults' and the channel's `filters:` and `include:`: a
 * field the channel sets replaces the same field of the defaults. Undefined when none is set.
 */
function rulesFrom(defaults: { filters?: Filters; include?: Include }, channel: { filters?: Filters; include?: Include }): ChannelRules | undefined {
  const filters = { ...defaults.filters, ...channel.filters };
  const include = { ...defaults.include, ...channel.include };
  const rules: ChannelRules = {
    titleInclude: filters.title_include,
    titleExclude: filters.title_exclude,
    minDurationSeconds: filters.min_duration,
    maxDurationSeconds: filters.max_duration,
    publishedAfter: filters.published_after,
    maxItems: filters.max_items,
    shorts: include.shorts,
    live: include.live,
  };
  // No key for what is not set: the schedule's stored input must compare equal to this.
  const set = Object.entries(rules).filter(([, value]) => value !== undefined);
  return set.length > 0 ? (Object.fromEntries(set) as ChannelRules) : undefined;
}

function feedOptions(feed: z.infer<typeof feedSchema>): ChannelFeedOptions {
  return {
    ...(feed.public_url ? { publicUrl: feed.public_url.replace(/\/+$/, '') } : {}),
    ...(feed.audio_only !== undefined ? { audioOnly: feed.audio_only } : {}),
  };
}

/** A field the channel sets replaces the same field of the defaults; undefined when nothing would be sent. */
function notifyFrom(defaults: Notify | undefined, channel: Notify | undefined): NotifyConfig | undefined {
  const merged = { ...defaults, ...channel };
  const on = [...new Set(merged.on ?? NOTIFY_EVENTS)];
  if ((!merged.webhook && !merged.apprise) || on.length === 0) return undefined;
  return { ...(merged.webhook ? { webhook: merged.webhook } : {}), ...(merged.apprise ? { apprise: merged.apprise } : {}), on };
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

  const problems: ChannelConfigProblem[] = [];
  const mediaServers = parseMediaServers(top.data.media_server, file, problems);
  const channels: ChannelConfig[] = [];
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
    const rules = rulesFrom(defaults, parsed.data);
    if (rules?.minDurationSeconds !== undefined && rules.maxDurationSeconds !== undefined && rules.minDurationSeconds > rules.maxDurationSeconds) {
      // Each is fine on its own; one came from the defaults, the other from the channel.
      problems.push({ channel: label, message: `${file}: channel "${name}": filters.max_duration: must not be shorter than min_duration` });
      return;
    }
    // Downloads ask for the media servers' refresh when there are any (src/workflows/media-refresh.ts).
    if (mediaServers.length > 0) download.mediaRefresh = true;
    const output = parsed.data.output ?? defaults.output;
    if (output) download.output = output;
    const write = [...new Set(parsed.data.write ?? defaults.write ?? [])];
    if (write.length > 0) download.write = write;
    const embed = [...new Set(parsed.data.embed ?? defaults.embed ?? [])];
    if (embed.length > 0) download.embed = embed;
    const languages = parsed.data.subtitles ?? defaults.subtitles;
    const wantsSubtitles = write.includes('subtitles') || embed.includes('subtitles');
    if (languages && wantsSubtitles) download.subtitles = [...new Set(languages)];
    else if (languages && parsed.data.subtitles) {
      problems.push({ channel: label, message: `${file}: channel "${name}": subtitles: has no effect without "subtitles" in write or embed` });
      return;
    } else if (embed.includes('subtitles')) {
      problems.push({ channel: label, message: `${file}: channel "${name}": embed: "subtitles" needs the languages in subtitles:` });
      return;
    }
    const sponsorblockRule = parsed.data.sponsorblock ?? defaults.sponsorblock;
    if (sponsorblockRule) download.sponsorblock = sponsorblockRule;
    const audioOnly = parsed.data.audio_only ?? defaults.audio_only ?? false;
    if (audioOnly) download.audioFormat = parsed.data.audio_format ?? defaults.audio_format ?? DEFAULT_AUDIO_FORMAT;
    else if (parsed.data.audio_format) {
      problems.push({ channel: label, message: `${file}: channel "${name}": audio_format: has no effect without audio_only: true` });
      return;
    }
    const extraArgs = parsed.data.extra_args ?? defaults.extra_args;
    if (extraArgs && extraArgs.length > 0) download.extraArgs = extraArgs;
    const upgradeRule = parsed.data.upgrade ?? defaults.upgrade;
    const keepRule = parsed.data.keep ?? defaults.keep;
    const missingPolicy = parsed.data.missing ?? defaults.missing;
    const notify = notifyFrom(defaults.notify, parsed.data.notify);
    channels.push({
      name,
      url,
      every,
      everyMs: parseDuration(every, 'every'),
      backfill: parsed.data.backfill ?? defaults.backfill,
      ...(Object.keys(download).length > 0 ? { download } : {}),
      ...(rules ? { rules } : {}),
      ...(keepRule && keepRule !== 'all' ? { keep: keepRule } : {}),
      ...(parsed.data.feed ? { feed: feedOptions(parsed.data.feed) } : {}),
      ...(missingPolicy ? { missing: missingPolicy } : {}),
      ...(notify ? { notify } : {}),
      ...(upgradeRule ? { upgrade: { within: upgradeRule.within, withinMs: parseDuration(upgradeRule.within, 'within') } } : {}),
    });
  });
  return { file, channels, ...(mediaServers.length > 0 ? { mediaServers } : {}), problems, sites: top.data.sites };
}

function parseMediaServers(entries: unknown[], file: string, problems: ChannelConfigProblem[]): MediaServerConfig[] {
  const servers: MediaServerConfig[] = [];
  entries.forEach((entry, index) => {
    const label = `media_server[${index}]`;
    const parsed = mediaServerSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push({ channel: label, message: `${file}: ${label}: ${describeIssues(parsed.error)}` });
      return;
    }
    const server = parsed.data;
    const sameKind = servers.filter((other) => other.kind === server.kind).length;
    const name = server.name ?? (sameKind === 0 ? server.kind : `${server.kind}-${sameKind + 1}`);
    if (servers.some((other) => other.name === name)) {
      problems.push({ channel: label, message: `${file}: ${label}: name: "${name}" is used by an earlier server` });
      return;
    }
    const value = server.api_key ?? server.token;
    const secretFile = server.api_key_file ?? server.token_file;
    servers.push({
      kind: server.kind,
      name,
      url: server.url.replace(/\/+$/, ''),
      // Relative to the channel list, as a person reading the file would take it.
      secret: value !== undefined ? { value } : { file: path.resolve(path.dirname(file), secretFile!) },
      ...(server.sections ? { sections: server.sections.map(String) } : {}),
    });
  });
  return servers;
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

/**
 * The `sites:` limits a worker applies. A missing file has none: a worker may start before
 * channels.yaml is written (the schedule sync is what needs it).
 */
export async function loadSiteList(file: string): Promise<SiteList> {
  try {
    await access(file);
  } catch {
    return { sites: [], fallback: {} };
  }
  return (await loadChannelList(file)).sites;
}
