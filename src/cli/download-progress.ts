import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { DownloadProgress } from '../shared/download.ts';
import { PARKER_CHANNEL, PARKER_STATUS, PARKER_VIDEO_ID } from '../shared/search-attributes.ts';

// What `parker status` shows of one download in flight, from its workflow's description:
// the title from its summary, bytes from the transfer's last heartbeat, and rate and ETA
// from two heartbeats in a row. Pure, apart from reading the description.

export interface DownloadView {
  workflowId: string;
  channel?: string;
  videoId?: string;
  title: string;
  /** downloading, waiting-cooldown, …: ParkerStatus. */
  state?: string;
  bytesDone: number;
  totalBytes?: number;
  /** Bytes per second between the last two heartbeats; absent until there are two. */
  rate?: number;
  /** Seconds left at that rate, when the total is known. */
  etaSeconds?: number;
  /** The transfer's attempt; above 1 means it failed before. */
  attempt?: number;
}

/** The last heartbeat seen of a download: the base of the next rate. */
export interface HeartbeatSample {
  bytesDone: number;
  at: number;
}

export function heartbeatOf(description: WorkflowExecutionDescription): { progress?: DownloadProgress; at?: number; attempt?: number } {
  const transfer = description.raw.pendingActivities?.find((activity) => activity.activityType?.name === 'downloadMedia');
  const payload = transfer?.heartbeatDetails?.payloads?.[0];
  const seconds = transfer?.lastHeartbeatTime?.seconds;
  return {
    ...(payload ? { progress: defaultPayloadConverter.fromPayload<DownloadProgress>(payload) } : {}),
    ...(seconds !== undefined && seconds !== null ? { at: Number(seconds) * 1000 + Math.round((transfer?.lastHeartbeatTime?.nanos ?? 0) / 1e6) } : {}),
    ...(transfer?.attempt ? { attempt: transfer.attempt } : {}),
  };
}

/** The view of a download from its description and its previous sample (if any). */
export function viewOf(
  description: WorkflowExecutionDescription,
  summary: string | undefined,
  previous: HeartbeatSample | undefined,
): { view: DownloadView; sample?: HeartbeatSample } {
  const labels = description.typedSearchAttributes;
  const channel = labels.get(PARKER_CHANNEL);
  const videoId = labels.get(PARKER_VIDEO_ID);
  const state = labels.get(PARKER_STATUS);
  const { progress, at, attempt } = heartbeatOf(description);
  const bytesDone = progress?.bytesDone ?? 0;
  const view: DownloadView = {
    workflowId: description.workflowId,
    ...(channel ? { channel } : {}),
    ...(videoId ? { videoId } : {}),
    // The summary reads "<title> — <channel>"; the channel has its own column.
    title: (summary && channel ? summary.replace(new RegExp(` — ${escapeRegExp(channel)}$`), '') : summary) ?? description.workflowId,
    ...(state ? { state } : {}),
    bytesDone,
    ...(progress?.totalBytes !== undefined ? { totalBytes: progress.totalBytes } : {}),
    ...(attempt ? { attempt } : {}),
  };
  if (previous && at !== undefined && at > previous.at && bytesDone >= previous.bytesDone) {
    view.rate = ((bytesDone - previous.bytesDone) * 1000) / (at - previous.at);
    if (view.totalBytes !== undefined && view.rate > 0) view.etaSeconds = Math.round((view.totalBytes - bytesDone) / view.rate);
  }
  const sample = at !== undefined && (!previous || at > previous.at) ? { bytesDone, at } : previous;
  return { view, ...(sample ? { sample } : {}) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
