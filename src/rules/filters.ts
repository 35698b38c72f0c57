import { InvalidRulesError } from '../errors.ts';
import type { ChannelRules } from '../shared/crawl.ts';
import type { ListedVideo } from '../shared/listing.ts';
import { formatClock, parseDuration } from './durations.ts';
import { newestFirst, uniqueEntries } from './listing-order.ts';

// A channel's rules (channels.yaml `filters:` and `include:`) applied to a listing. Pure:
// the clock comes in as `now`. The reasons name the rule in channels.yaml's words, since
// they are what a person reads in the videos table.
//
// What a rule cannot judge, it lets through: an entry of unknown length passes
// min_duration/max_duration, one without a date passes published_after, and one the
// source cannot classify counts as neither a Short nor a live stream.

/** Rules checked once and ready to apply. */
export interface CompiledRules {
  titleInclude?: RegExp;
  titleExclude?: RegExp;
  minDurationSeconds?: number;
  maxDurationSeconds?: number;
  /** The cut-off, and how the rule was written (`30d`, `2024-01-01`). */
  publishedAfter?: { time: number; written: string };
  maxItems?: number;
  shorts: boolean;
  live: boolean;
}

/** Titles are written by people; capitals rarely carry meaning for a filter. */
const REGEX_FLAGS = 'iu';
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const AGE = /^\d+(?:\.\d+)?\s*[a-z]+$/i;

/** The regex a pattern from channels.yaml or a crawl's input makes; throws SyntaxError. */
export function compileTitlePattern(pattern: string): RegExp {
  return new RegExp(pattern, REGEX_FLAGS);
}

/**
 * The time a `published_after` value stands for: a date (UTC midnight) or timestamp, or
 * an age counted back from `now`. Undefined when it is neither.
 */
export function publishedAfterTime(written: string, now: Date): number | undefined {
  const text = written.trim();
  if (DATE.test(text)) {
    const time = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
    // Date.parse rolls 2024-02-31 over to March: a date that does not exist is refused.
    if (Number.isNaN(time) || (text.length === 10 && new Date(time).toISOString().slice(0, 10) !== text)) return undefined;
    return time;
  }
  if (AGE.test(text)) {
    try {
      const millis = parseDuration(text, 'published_after');
      return millis > 0 ? now.getTime() - millis : undefined;
    } catch {
      return undefined; // an age in no unit `ms` knows: the caller names the field
    }
  }
  return undefined;
}

/** Checks rules that may have been typed by hand; throws InvalidRulesError naming the field. */
export function compileRules(rules: ChannelRules | undefined, now: Date): CompiledRules {
  const compiled: CompiledRules = { shorts: rules?.shorts ?? true, live: rules?.live ?? true };
  if (!rules) return compiled;
  const pattern = (field: 'titleInclude' | 'titleExclude'): RegExp | undefined => {
    const value = rules[field];
    if (value === undefined) return undefined;
    try {
      return compileTitlePattern(value);
    } catch (error) {
      throw new InvalidRulesError(`rules.${field}: not a valid regular expression: ${(error as Error).message}`);
    }
  };
  const seconds = (field: 'minDurationSeconds' | 'maxDurationSeconds' | 'maxItems'): number | undefined => {
    const value = rules[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidRulesError(`rules.${field}: must be a number of 0 or more, not ${JSON.stringify(value)}`);
    }
    return value;
  };
  compiled.titleInclude = pattern('titleInclude');
  compiled.titleExclude = pattern('titleExclude');
  compiled.minDurationSeconds = seconds('minDurationSeconds');
  compiled.maxDurationSeconds = seconds('maxDurationSeconds');
  compiled.maxItems = seconds('maxItems');
  if (rules.publishedAfter !== undefined) {
    const time = typeof rules.publishedAfter === 'string' ? publishedAfterTime(rules.publishedAfter, now) : undefined;
    if (time === undefined) {
      throw new InvalidRulesError(
        `rules.publishedAfter: must be a date such as 2024-01-01 or an age such as 30d, not ${JSON.stringify(rules.publishedAfter)}`,
      );
    }
    compiled.publishedAfter = { time, written: rules.publishedAfter.trim() };
  }
  return compiled;
}

/** Why one entry is skipped by the rules that look at it alone, or undefined. */
function entryReason(entry: ListedVideo, rules: CompiledRules): string | undefined {
  if (!rules.shorts && entry.isShort) return 'filter: shorts excluded';
  if (!rules.live && entry.isLive) return 'filter: live streams excluded';
  if (rules.titleInclude && !rules.titleInclude.test(entry.title)) {
    return `filter: title does not match /${rules.titleInclude.source}/ (title_include)`;
  }
  if (rules.titleExclude?.test(entry.title)) return `filter: title matches /${rules.titleExclude.source}/ (title_exclude)`;
  const length = entry.durationSeconds;
  if (length !== undefined && rules.minDurationSeconds !== undefined && length < rules.minDurationSeconds) {
    return `filter: ${formatClock(length)} long, shorter than min_duration ${formatClock(rules.minDurationSeconds)}`;
  }
  if (length !== undefined && rules.maxDurationSeconds !== undefined && length > rules.maxDurationSeconds) {
    return `filter: ${formatClock(length)} long, longer than max_duration ${formatClock(rules.maxDurationSeconds)}`;
  }
  if (rules.publishedAfter && entry.publishedAt) {
    const published = Date.parse(entry.publishedAt);
    if (!Number.isNaN(published) && published < rules.publishedAfter.time) {
      const cutoff = new Date(rules.publishedAfter.time).toISOString().slice(0, 10);
      const written = rules.publishedAfter.written === cutoff ? cutoff : `${rules.publishedAfter.written} (${cutoff})`;
      return `filter: published ${entry.publishedAt.slice(0, 10)}, before published_after ${written}`;
    }
  }
  return undefined;
}

/**
 * The entries of a listing the rules skip, by external id, with the reason. Entries the
 * source already marked undownloadable are neither judged nor counted. max_items keeps
 * the newest N of the entries every other rule let through.
 */
export function filterListing(entries: ListedVideo[], rules: CompiledRules): Map<string, string> {
  const skipped = new Map<string, string>();
  let kept = 0;
  for (const entry of newestFirst(uniqueEntries(entries))) {
    if (entry.skipReason) continue;
    const reason = entryReason(entry, rules);
    if (reason) {
      skipped.set(entry.externalId, reason);
    } else if (rules.maxItems !== undefined && kept++ >= rules.maxItems) {
      skipped.set(entry.externalId, `filter: older than the newest ${rules.maxItems} (max_items)`);
    }
  }
  return skipped;
}
