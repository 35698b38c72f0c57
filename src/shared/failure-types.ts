// Names of the ApplicationFailure types that activities throw. The download workflow, the
// transfer's retry policy and the metrics' `reason` labels match failures by these names,
// so the names are part of the contract. Each domain error in src/errors.ts names its own
// type and says whether it is retryable; src/activities/failures.ts turns it into the
// ApplicationFailure. Sandbox-safe: no I/O.

export const FailureType = {
  // Permanent: no retry can fix them; the video (or crawl) fails at once.
  /** The media is gone for good: HTTP 404 or 410. */
  MediaGone: 'MediaGone',
  /** The server answered with something that is not media (an HTML page, JSON…). */
  NotMedia: 'NotMedia',
  /** The video has no downloadable link, or its type is not on the media allow-list. */
  NoMedia: 'NoMedia',
  /** A URL Parker will not fetch: not http(s), a refused address, a redirect loop. */
  RefusedUrl: 'RefusedUrl',
  /** The crawl's filter rules are broken (typed by hand into a workflow's input): retrying will not fix them. */
  InvalidRules: 'InvalidRules',
  /** The listing could not be parsed as a feed. */
  InvalidFeed: 'InvalidFeed',
  /** Any other client error (4xx) for a feed or media URL that retrying will not fix. */
  HttpClientError: 'HttpClientError',
  /** The download folder cannot be written (permissions, read-only), or a path leads outside it. */
  StorageError: 'StorageError',
  /** The row the workflow was started for does not exist. */
  UnknownVideo: 'UnknownVideo',
  /** The site refuses the video for good (private, removed, members-only, age, geo, unsupported). */
  VideoUnavailable: 'VideoUnavailable',
  /** A premiere or scheduled stream that has not started; the download workflow waits for it (details: UpcomingDetails). */
  VideoUpcoming: 'VideoUpcoming',
  /** channels.yaml cannot be read or parsed as a whole: fixing it takes a person. */
  InvalidChannelList: 'InvalidChannelList',
  /**
   * A transfer of a rate-limited site reached its host after the start its claim gave it
   * (src/rules/transfer-turn.ts): not retried where it is, the download claims a new turn.
   */
  MissedTurn: 'MissedTurn',

  // Retryable: a later attempt may succeed.
  /** The site throttles us (HTTP 429, bot check): retried after a long delay, not the usual backoff. */
  RateLimited: 'RateLimited',
  /** A 5xx or 408 answer: the server may answer next time. */
  HttpServerError: 'HttpStatusError',
  /** Reset, refused, timed out. */
  NetworkError: 'NetworkError',
  /** The body ended before (or ran past) the announced length. */
  IncompleteBody: 'IncompleteBodyError',
  /** yt-dlp printed nothing for too long and was killed. */
  DownloaderStalled: 'DownloaderStalledError',
  /** yt-dlp failed in a way a later attempt may not repeat (network, 5xx, a crash). */
  DownloaderFailed: 'DownloaderFailedError',
  /**
   * The download folder is full (ENOSPC, EDQUOT): not retried by the transfer's policy,
   * the download workflow pauses the host's transfers and tries again once space may be back.
   */
  DiskFull: 'DiskFull',
  /** A notification's webhook or Apprise did not take it (src/notify). */
  NotifyFailed: 'NotifyFailed',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/**
 * The details of a VideoUpcoming failure: how long until the premiere starts, when the
 * site says (null when it does not). The activity writes it, the download workflow reads it.
 */
export interface UpcomingDetails {
  startsInMs: number | null;
}
