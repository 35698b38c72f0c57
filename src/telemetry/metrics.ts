import type { MetricCounter, MetricHistogram, MetricMeter, MetricUpDownCounter } from '@temporalio/common';
import type { SkipKind } from '../rules/recording.ts';

// Every metric Parker records, defined here once. Sandbox-safe (types and meter calls
// only): the workflows record through the SDK's workflow metric meter, which drops what
// is recorded while a history is replayed; the activities record through the runtime's
// meter. Both end in the Temporal runtime, so Parker's metrics leave the process on the
// same Prometheus endpoint (or OTLP exporter) as Temporal's own worker metrics.
//
// Names carry their unit; counters get Prometheus' `_total` suffix on the way out
// (see src/telemetry/runtime.ts). Labels stay few and bounded: a channel name (from
// channels.yaml), a result, a reason from a fixed set of failure type names.

export const METRIC_NAMES = {
  videosDiscovered: 'parker_videos_discovered',
  videosSkipped: 'parker_videos_skipped',
  downloadsFinished: 'parker_downloads_finished',
  downloadedBytes: 'parker_downloaded_bytes',
  downloadDuration: 'parker_download_duration_seconds',
  downloadsInFlight: 'parker_downloads_in_flight',
  crawlDuration: 'parker_crawl_duration_seconds',
  crawlErrors: 'parker_crawl_errors',
  feedsNotModified: 'parker_feeds_not_modified',
  scheduleLag: 'parker_schedule_lag_seconds',
  retriesScheduled: 'parker_download_retries_scheduled',
  downloadsGivenUp: 'parker_downloads_given_up',
} as const;

/**
 * Histogram buckets, in seconds. The runtime's defaults are made for milliseconds of
 * task latency; a crawl takes a second, a download minutes to hours.
 */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [METRIC_NAMES.crawlDuration]: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  [METRIC_NAMES.downloadDuration]: [0.5, 1, 2.5, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 14400],
  [METRIC_NAMES.scheduleLag]: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
};

/** Why a newly listed video was recorded as skipped: the skip kind its row got. */
export type SkipReasonLabel = SkipKind;

/** How a download workflow ended. */
export type DownloadResultLabel = 'downloaded' | 'failed' | 'cancelled';

/** Recorded by the workflows, through the SDK's workflow metric meter (deterministic values only). */
export interface WorkflowMetrics {
  /**
   * Download workflows that reached an end. Labels: channel, result (DownloadResultLabel),
   * reason (the failure type, e.g. MediaGone, or `none`).
   */
  downloadsFinished: MetricCounter;
  /** Time from a download workflow's start to its end. Labels: channel, result. */
  downloadDuration: MetricHistogram;
  /** Time from a crawl's start to its end, continue-as-new included. Labels: channel. */
  crawlDuration: MetricHistogram;
  /** How late a scheduled crawl began, against the time its schedule meant. Labels: channel. */
  scheduleLag: MetricHistogram;
}

/** Recorded by the activities, where the I/O happens. */
export interface ActivityMetrics {
  /** New videos recorded as `discovered` by a crawl. Labels: channel. */
  videosDiscovered: MetricCounter;
  /** New videos recorded as `skipped`. Labels: channel, reason (SkipReasonLabel). */
  videosSkipped: MetricCounter;
  /** Media bytes written to part files, as they arrive. Labels: channel. */
  downloadedBytes: MetricCounter;
  /** Media transfers running now. Labels: channel. */
  downloadsInFlight: MetricUpDownCounter;
  /** Failed attempts to list a channel. Labels: channel, reason (the failure type). */
  crawlErrors: MetricCounter;
  /** Feeds that answered 304 Not Modified to a conditional GET. Labels: channel. */
  feedsNotModified: MetricCounter;
  /**
   * Transient download failures that a later crawl will try again. Labels: channel,
   * reason (the failure type).
   */
  retriesScheduled: MetricCounter;
  /** Transient download failures given up after the last retry delay. Labels: channel, reason. */
  downloadsGivenUp: MetricCounter;
}

export function workflowMetrics(meter: MetricMeter): WorkflowMetrics {
  return {
    downloadsFinished: meter.createCounter(
      METRIC_NAMES.downloadsFinished,
      undefined,
      'Download workflows that ended, by result and failure reason',
    ),
    downloadDuration: meter.createHistogram(
      METRIC_NAMES.downloadDuration,
      'float',
      undefined,
      'Seconds from the start of a download workflow to its end',
    ),
    crawlDuration: meter.createHistogram(METRIC_NAMES.crawlDuration, 'float', undefined, 'Seconds from the start of a crawl to its end'),
    scheduleLag: meter.createHistogram(
      METRIC_NAMES.scheduleLag,
      'float',
      undefined,
      'Seconds between the time a schedule meant a crawl to start and its start',
    ),
  };
}

export function activityMetrics(meter: MetricMeter): ActivityMetrics {
  // Optional in the MetricMeter interface; the runtime's meter has it, the workflow meter does not.
  if (!meter.createUpDownCounter) throw new Error('this metric meter has no up-down counters');
  return {
    videosDiscovered: meter.createCounter(METRIC_NAMES.videosDiscovered, undefined, 'New videos recorded for download'),
    videosSkipped: meter.createCounter(METRIC_NAMES.videosSkipped, undefined, 'New videos recorded as skipped, by reason'),
    downloadedBytes: meter.createCounter(METRIC_NAMES.downloadedBytes, undefined, 'Media bytes written'),
    downloadsInFlight: meter.createUpDownCounter(METRIC_NAMES.downloadsInFlight, undefined, 'Media transfers running now'),
    crawlErrors: meter.createCounter(METRIC_NAMES.crawlErrors, undefined, 'Failed attempts to list a channel, by reason'),
    feedsNotModified: meter.createCounter(METRIC_NAMES.feedsNotModified, undefined, 'Feeds that answered 304 Not Modified'),
    retriesScheduled: meter.createCounter(
      METRIC_NAMES.retriesScheduled,
      undefined,
      'Failed downloads that a later crawl will try again, by reason',
    ),
    downloadsGivenUp: meter.createCounter(METRIC_NAMES.downloadsGivenUp, undefined, 'Failed downloads given up after their last retry, by reason'),
  };
}
