import { FailureType, type FailureTypeName, type UpcomingDetails } from './shared/failure-types.ts';

// Domain errors thrown by sources, downloaders, storage and config. Each has a stable
// `name`, keeps the original error in `cause`, names the failure type the workflows and
// metrics know it by, and says whether trying again can help. One function turns them
// into Temporal failures (toFailure, src/activities/failures.ts). Adding an error means
// adding a class here (and its type name to FailureType if it is a new kind).

export abstract class ParkerError extends Error {
  /** The ApplicationFailure type this error becomes (src/shared/failure-types.ts). */
  abstract readonly failureType: FailureTypeName;
  /** Whether a later attempt can succeed (network trouble, 5xx) or not (404, not media). */
  abstract readonly retryable: boolean;
  /** Typed details the workflow reads off the failure; most errors have none. */
  get details(): unknown[] | undefined {
    return undefined;
  }
}

/** An HTTP response whose status means "no" (4xx, 5xx) for the URL asked. */
export class HttpStatusError extends ParkerError {
  override name = 'HttpStatusError';
  readonly retryable: boolean;
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url} answered HTTP ${status}`);
    // 408 and 429 are "try later"; every other 4xx will answer the same next time.
    this.retryable = status >= 500 || status === 408 || status === 429;
  }
  get failureType(): FailureTypeName {
    // A plain 429 Too Many Requests is the site throttling us, as yt-dlp's bot check is.
    if (this.status === 429) return FailureType.RateLimited;
    // 404 Not Found and 410 Gone: the media will not come back.
    if (this.status === 404 || this.status === 410) return FailureType.MediaGone;
    return this.retryable ? FailureType.HttpServerError : FailureType.HttpClientError;
  }
}

/** The server sent something that is not media: an HTML page, JSON, a login wall. */
export class NotMediaError extends ParkerError {
  override name = 'NotMediaError';
  readonly failureType: FailureTypeName = FailureType.NotMedia;
  readonly retryable = false;
  constructor(
    readonly url: string,
    readonly contentType: string,
  ) {
    super(`${url} sent ${contentType}, which is not audio or video`);
  }
}

/** The body ended before (or ran past) the length the server announced. */
export class IncompleteBodyError extends ParkerError {
  override name = 'IncompleteBodyError';
  readonly failureType: FailureTypeName = FailureType.IncompleteBody;
  readonly retryable = true;
  constructor(url: string, received: number, expected: number) {
    super(`${url}: received ${received} bytes where ${expected} were announced`);
  }
}

/** A network failure: reset, refused, timed out. */
export class NetworkError extends ParkerError {
  override name = 'NetworkError';
  readonly failureType: FailureTypeName = FailureType.NetworkError;
  readonly retryable = true;
  constructor(url: string, options: { cause: unknown }) {
    super(`${url}: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
  }
}

/**
 * A URL Parker will not fetch: a scheme other than http(s), an address the network
 * policy refuses (loopback, private, link-local…), a redirect loop or too many redirects.
 */
export class RefusedUrlError extends ParkerError {
  override name = 'RefusedUrlError';
  readonly failureType: FailureTypeName = FailureType.RefusedUrl;
  readonly retryable = false;
}

/** A listing that is not a feed Parker can read, or is too large. */
export class InvalidFeedError extends ParkerError {
  override name = 'InvalidFeedError';
  readonly failureType: FailureTypeName = FailureType.InvalidFeed;
  readonly retryable = false;
  constructor(url: string, reason: string, options?: { cause: unknown }) {
    super(`${url}: ${reason}`, options);
  }
}

/** The URL answered with a web page, not a feed: a site's channel page, for yt-dlp to list. */
export class NotAFeedError extends InvalidFeedError {
  override name = 'NotAFeedError';
  constructor(url: string, contentType: string) {
    super(url, `answered with ${contentType}, not a feed`);
  }
}

/** A crawl's rules (CrawlInput.rules) that cannot be applied: a bad regex, date or number. */
export class InvalidRulesError extends ParkerError {
  override name = 'InvalidRulesError';
  readonly failureType: FailureTypeName = FailureType.InvalidRules;
  readonly retryable = false;
}

/** A video without a link Parker can download, or whose type is not on the allow-list. */
export class NoMediaError extends ParkerError {
  override name = 'NoMediaError';
  readonly failureType: FailureTypeName = FailureType.NoMedia;
  readonly retryable = false;
}

/**
 * The download folder cannot take the file: full, read-only, no permission; or a file
 * Parker wrote is missing, or a path would lead outside the folder.
 */
export class StorageError extends ParkerError {
  override name = 'StorageError';
  readonly failureType: FailureTypeName = FailureType.StorageError;
  readonly retryable: boolean = false;

  /** A file system error on `path`: a full disk comes back once space is freed, the others need a person. */
  static writing(path: string, cause: NodeJS.ErrnoException): StorageError {
    const message = `cannot write ${path}: ${cause.code ?? cause.message}`;
    return DISK_FULL_CODES.has(cause.code ?? '') ? new DiskFullError(message, { cause }) : new StorageError(message, { cause });
  }
}

/**
 * The download folder is full: a storage error that passes once space is freed. The
 * transfer's policy does not retry it; the download workflow pauses and tries again.
 */
export class DiskFullError extends StorageError {
  override name = 'DiskFullError';
  override readonly failureType: FailureTypeName = FailureType.DiskFull;
  override readonly retryable = true;
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
const STORAGE_CODES = new Set([...DISK_FULL_CODES, 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);

/** Turns a file system error of the download folder into a StorageError (or DiskFullError); returns others as they are. */
export function asStorageError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code && STORAGE_CODES.has(code) ? StorageError.writing(path, error as NodeJS.ErrnoException) : error;
}

/** A site refuses a video for good: private, removed, members-only, age-restricted, geo-blocked, unsupported. */
export class VideoUnavailableError extends ParkerError {
  override name = 'VideoUnavailableError';
  readonly failureType: FailureTypeName = FailureType.VideoUnavailable;
  readonly retryable = false;
  constructor(
    readonly url: string,
    /** A stable word for the reason (`private`, `geo-blocked` …), stored with the video. */
    readonly reason: string,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** The site is throttling Parker (HTTP 429, a "confirm you're not a bot" wall): try much later. */
export class RateLimitedError extends ParkerError {
  override name = 'RateLimitedError';
  readonly failureType: FailureTypeName = FailureType.RateLimited;
  readonly retryable = true;
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`rate-limited by the site: ${detail}`);
  }
}

/** A rate-limited transfer came too late for the start its claim gave it: the workflow claims again. */
export class MissedTurnError extends ParkerError {
  override name = 'MissedTurnError';
  readonly failureType: FailureTypeName = FailureType.MissedTurn;
  readonly retryable = false;
  constructor(readonly lateMs: number) {
    super(`the transfer reached its host ${lateMs} ms after the start its claim gave it, so it claims a new turn`);
  }
}

/** A premiere or scheduled live stream that has not started: the workflow waits for it. */
export class VideoUpcomingError extends ParkerError {
  override name = 'VideoUpcomingError';
  readonly failureType: FailureTypeName = FailureType.VideoUpcoming;
  readonly retryable = false;
  constructor(
    readonly url: string,
    detail: string,
    /** How long until it starts, when the site says. */
    readonly startsInMs?: number,
  ) {
    super(`not released yet: ${detail}`);
  }
  override get details(): [UpcomingDetails] {
    return [{ startsInMs: this.startsInMs ?? null }];
  }
}

/** yt-dlp printed nothing for longer than the stall limit; it was killed and can be retried. */
export class DownloaderStalledError extends ParkerError {
  override name = 'DownloaderStalledError';
  readonly failureType: FailureTypeName = FailureType.DownloaderStalled;
  readonly retryable = true;
  constructor(url: string, silentMs: number) {
    super(`${url}: yt-dlp printed nothing for ${Math.round(silentMs / 1000)}s and was killed`);
  }
}

/** yt-dlp failed in a way a later attempt may not repeat (network, 5xx, a crash). */
export class DownloaderFailedError extends ParkerError {
  override name = 'DownloaderFailedError';
  readonly failureType: FailureTypeName = FailureType.DownloaderFailed;
  readonly retryable = true;
}

/** A download workflow was started for a video that has no row: nothing says what to fetch. */
export class UnknownVideoError extends ParkerError {
  override name = 'UnknownVideoError';
  readonly failureType: FailureTypeName = FailureType.UnknownVideo;
  readonly retryable = false;
  constructor(channel: string, externalId: string) {
    super(`no recorded video ${externalId} in channel ${channel}`);
  }
}

/** A notification's webhook or Apprise URLs did not take it: tried again by the notification's own policy. */
export class NotifyFailedError extends ParkerError {
  override name = 'NotifyFailedError';
  readonly failureType: FailureTypeName = FailureType.NotifyFailed;
  readonly retryable = true;
}
