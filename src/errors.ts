// Domain errors thrown by sources, downloaders and storage. Each has a stable `name`,
// keeps the original error in `cause`, and says whether trying again can help.
// Activities turn them into typed Temporal failures (src/activities/failures.ts).

export abstract class ParkerError extends Error {
  /** Whether a later attempt can succeed (network trouble, 5xx) or not (404, not media). */
  abstract readonly retryable: boolean;
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
  /** 404 Not Found and 410 Gone: the media will not come back. */
  get gone(): boolean {
    return this.status === 404 || this.status === 410;
  }
}

/** The server sent something that is not media: an HTML page, JSON, a login wall. */
export class NotMediaError extends ParkerError {
  override name = 'NotMediaError';
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
  readonly retryable = true;
  constructor(url: string, received: number, expected: number) {
    super(`${url}: received ${received} bytes where ${expected} were announced`);
  }
}

/** A network failure: reset, refused, timed out. */
export class NetworkError extends ParkerError {
  override name = 'NetworkError';
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
  readonly retryable = false;
}

/** A listing that is not a feed Parker can read, or is too large. */
export class InvalidFeedError extends ParkerError {
  override name = 'InvalidFeedError';
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
  readonly retryable = false;
}

/** A video without a link Parker can download, or whose type is not on the allow-list. */
export class NoMediaError extends ParkerError {
  override name = 'NoMediaError';
  readonly retryable = false;
}

/** The download folder cannot take the file: full, read-only, no permission. */
export class StorageError extends ParkerError {
  override name = 'StorageError';
  readonly retryable = false;
  constructor(
    readonly path: string,
    options: { cause: NodeJS.ErrnoException },
  ) {
    super(`cannot write ${path}: ${options.cause.code ?? options.cause.message}`, options);
  }
}

const STORAGE_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);

/** Turns a file system error that no retry will fix into a StorageError; returns others as they are. */
export function asStorageError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code && STORAGE_CODES.has(code) ? new StorageError(path, { cause: error as NodeJS.ErrnoException }) : error;
}

/** A site refuses a video for good: private, removed, members-only, age-restricted, geo-blocked, unsupported. */
export class VideoUnavailableError extends ParkerError {
  override name = 'VideoUnavailableError';
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
  readonly retryable = true;
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`rate-limited by the site: ${detail}`);
  }
}

/** A premiere or scheduled live stream that has not started: the workflow waits for it. */
export class VideoUpcomingError extends ParkerError {
  override name = 'VideoUpcomingError';
  readonly retryable = false;
  constructor(
    readonly url: string,
    detail: string,
    /** How long until it starts, when the site says. */
    readonly startsInMs?: number,
  ) {
    super(`not released yet: ${detail}`);
  }
}

/** yt-dlp printed nothing for longer than the stall limit; it was killed and can be retried. */
export class DownloaderStalledError extends ParkerError {
  override name = 'DownloaderStalledError';
  readonly retryable = true;
  constructor(url: string, silentMs: number) {
    super(`${url}: yt-dlp printed nothing for ${Math.round(silentMs / 1000)}s and was killed`);
  }
}

/** yt-dlp failed in a way a later attempt may not repeat (network, 5xx, a crash). */
export class DownloaderFailedError extends ParkerError {
  override name = 'DownloaderFailedError';
  readonly retryable = true;
}
