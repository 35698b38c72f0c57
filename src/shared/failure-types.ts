// Names of the ApplicationFailure types that activities throw. Retry policies and the
// download workflow match failures by these names, so the names are part of the contract.

export const FailureType = {
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
  /** The download folder cannot be written (permissions, full disk). */
  StorageError: 'StorageError',
  /** The row the workflow was started for does not exist. */
  UnknownVideo: 'UnknownVideo',
  /** The site refuses the video for good (private, removed, members-only, age, geo, unsupported). */
  VideoUnavailable: 'VideoUnavailable',
  /** A premiere or scheduled stream that has not started; the download workflow waits for it. */
  VideoUpcoming: 'VideoUpcoming',
  /** The site throttles us (HTTP 429, bot check): retried after a long delay, not the usual backoff. */
  RateLimited: 'RateLimited',
  /** channels.yaml cannot be read or parsed as a whole: fixing it takes a person. */
  InvalidChannelList: 'InvalidChannelList',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/** Failures that no retry can fix: the activity fails at once and the video is marked failed. */
export const PERMANENT_FAILURES: FailureTypeName[] = [
  FailureType.MediaGone,
  FailureType.NotMedia,
  FailureType.NoMedia,
  FailureType.InvalidFeed,
  FailureType.InvalidRules,
  FailureType.RefusedUrl,
  FailureType.HttpClientError,
  FailureType.StorageError,
  FailureType.UnknownVideo,
  FailureType.VideoUnavailable,
  FailureType.VideoUpcoming,
  FailureType.InvalidChannelList,
];
