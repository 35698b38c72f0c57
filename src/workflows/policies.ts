import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../shared/failure-types.ts';

// Every timeout and retry policy of Parker's activities, grouped by kind of work.
// docs/retries.md repeats these numbers. Which failures are retried at all is not listed
// here: each domain error says whether it is retryable, and the activity's failure
// carries that (src/errors.ts, src/activities/failures.ts).

/**
 * Database reads and writes. A database that is down is waited for, however long it takes:
 * giving up would leave a recorded video without an end. Backoff 1s, 2s, 4s … capped at 1m.
 */
export const DATABASE: ActivityOptions = {
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: Infinity },
};

/**
 * Listing a channel: one HTTP request and a parse, with the channel's few indexed reads
 * (its validators, its backfill state, the first page of its unfinished videos). Retried
 * 5 times over about a minute (5s, 10s, 20s, 40s); after that the crawl fails visibly and
 * the next scheduled crawl tries again, finding the same unfinished videos (a database
 * down for longer fails the crawl the same way, and loses nothing). A feed that does not
 * parse is not retried.
 */
export const LISTING: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 5,
  },
};

/**
 * The listing's first try, as a local activity of the worker that runs the crawl: an
 * unchanged feed is then one workflow task and a marker (6 history events, 11 as an
 * activity), which is what lets a round of 1,000 unchanged feeds pass 1,000 a minute on
 * the dev server (BENCHMARKS.md, idle crawl). It is safe to run twice (a worker that dies
 * before the workflow task completes lists again; recording is an upsert). A listing that
 * runs past the workflow task's timeout (a slow yt-dlp listing) keeps its task alive
 * through the SDK's workflow task heartbeats. Not retried here: a failure that may be
 * retried goes on as an ordinary activity under LISTING (src/workflows/crawl.ts).
 */
export const LISTING_FIRST_TRY: LocalActivityOptions = {
  startToCloseTimeout: LISTING.startToCloseTimeout,
  retry: { maximumAttempts: 1 },
};

/**
 * One page of a backfill: yt-dlp lists up to 200 entries deep in a channel, which on
 * YouTube means walking every page before them, so up to 10 minutes. The activity
 * heartbeats while yt-dlp works: a worker that dies is noticed after 20s. Retried 10 times
 * (10s, 20s, 40s … capped at 5m, about half an hour in all) before the backfill fails;
 * the next crawl starts it again from the page it reached.
 */
export const BACKFILL_LISTING: ActivityOptions = {
  startToCloseTimeout: '10m',
  heartbeatTimeout: '20s',
  retry: {
    initialInterval: '10s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    maximumAttempts: 10,
  },
};

/**
 * Fetching media. Large files take hours, so the limit that matters is the heartbeat:
 * a transfer that makes no progress for 20s is given up and resumed by the next attempt
 * (shorter than the HTTP client's 30s idle timeout, so a silent server is caught here).
 * 5xx, timeouts and resets are retried 10 times with backoff 1s, 2s, 4s … capped at 5m
 * (about 10 minutes in all); 404/410, non-media answers and storage errors are not retried.
 * A throttled transfer (RateLimited) is not retried here either: it goes back to the
 * download workflow at once, which starts the site's cooldown and waits it out on a
 * durable timer (at most SITE_COOLDOWN_MAX_WAITS times). A full download folder (DiskFull)
 * goes back at once too: the workflow pauses the host's transfers (DISK_FULL_MAX_WAITS).
 */
export const MEDIA_TRANSFER: ActivityOptions = {
  startToCloseTimeout: '12h',
  heartbeatTimeout: '20s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [FailureType.RateLimited, FailureType.DiskFull],
  },
};

/**
 * Delivering one notification (a webhook's POST, 10 s at most; apprise, 60 s at most).
 * Tried 6 times over about 2½ minutes (5s, 10s, 20s, 40s, 60s), then the notification
 * workflow fails visibly in the Web UI. It runs apart from the download (a child it
 * abandons), so a dead webhook neither fails nor delays the download.
 */
export const NOTIFICATION: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6 },
};

/** Renames and bookkeeping around a download: quick, local, retried like the database. */
export const FILE_AND_DATABASE: ActivityOptions = DATABASE;

/**
 * The quick database steps every download takes before its transfer (resolve, the site's
 * cooldown check), as local activities: run by the worker that runs the workflow, recorded
 * as one marker event instead of an activity's three and a workflow task's three
 * (BENCHMARKS.md, pipeline). Both are safe to run twice (a worker that dies before the
 * workflow task completes runs them again), and retried like the database: a retry
 * waiting longer than `localRetryThreshold` (1 min, the SDK's default) waits on a timer.
 */
export const LOCAL_DATABASE: LocalActivityOptions = {
  startToCloseTimeout: DATABASE.startToCloseTimeout,
  retry: DATABASE.retry,
  localRetryThreshold: '1m',
};

/**
 * Claiming a host for a transfer: answered at once by whichever downloads worker polls
 * first. It waits in the queue as long as it takes for a worker to be there.
 */
export const CLAIM_HOST: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: Infinity },
};

/**
 * Added to activities pinned to one host's task queue. A host that restarts is back well
 * within a minute (its part file is still there, so the transfer resumes); a host that
 * does not pick the task up by then is taken as gone, and the transfer starts over on
 * another host. A busy host is also passed over this way, which spreads the load.
 */
export const ON_HOST: ActivityOptions = {
  scheduleToStartTimeout: '1m',
};

/**
 * A download throttled again after this many site cooldowns (a day, with the default
 * PARKER_SITE_COOLDOWN of 1h) is given up as failed.
 */
export const SITE_COOLDOWN_MAX_WAITS = 24;

/**
 * A transfer that finds its host's download folder full again after this many pauses
 * (a day, with the default PARKER_DISK_FULL_PAUSE of 15m) fails as transient: later
 * crawls try it again on the growing delay of src/rules/retry-schedule.ts.
 */
export const DISK_FULL_MAX_WAITS = 96;

/** A premiere that gives no start time is looked at again after this long. */
export const UPCOMING_RECHECK_MS = 30 * 60_000;
/** How long after the announced start a premiere is first tried (the site needs a moment). */
export const UPCOMING_GRACE_MS = 60_000;
/** A premiere still not released after this many waits is given up as failed. */
export const UPCOMING_MAX_WAITS = 48;

/**
 * Retention's activities: reading channels.yaml, listing a channel's expired videos,
 * deleting one video's files. Local file and database work that takes seconds; 10
 * minutes allows for a channel with thousands of files on a slow disk. Retried 8 times
 * over about 10 minutes (5s, 10s, 20s … capped at 5m); a maintenance run that still fails
 * is visible in the Web UI, and the next day's run picks up where it stopped.
 */
export const MAINTENANCE: ActivityOptions = {
  startToCloseTimeout: '10m',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    maximumAttempts: 8,
  },
};

/**
 * The verify step's check of one channel's files: hours for a large library hashed at a
 * throttled rate, so the limit is the heartbeat (after every file and every MiB hashed),
 * not the length; a retry goes on from the last row checked.
 */
export const VERIFY_FILES: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: '2m',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    maximumAttempts: 8,
  },
};

/**
 * Asking a media server to refresh its library: a quick HTTP call. Four attempts over
 * about 40 s (5s, 10s, 20s): a server that is down for longer misses this batch and is
 * asked again after the next downloads. It never holds up a download: the refresh runs
 * in a workflow of its own.
 */
export const MEDIA_REFRESH: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 4,
  },
};

/**
 * An upgrade check: yt-dlp resolves one video's formats without downloading, seconds
 * usually, a minute for a slow site. Three attempts (10s, 20s apart); a check that still
 * fails is reported, and the video is asked about again the next day. A throttled check
 * (RateLimited) is not retried: the upgrade step leaves the channel's other videos for
 * the next day rather than wait out the site.
 */
export const UPGRADE_CHECK: ActivityOptions = {
  startToCloseTimeout: '5m',
  retry: {
    initialInterval: '10s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 3,
    nonRetryableErrorTypes: [FailureType.RateLimited],
  },
};
