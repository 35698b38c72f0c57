// What a notification says: one finished or failed video. Sandbox-safe: the download
// workflow hands it to the notification workflow.

export type VideoEvent = 'downloaded' | 'failed';

/** What the download workflow knows at its end. */
export interface VideoEnd {
  event: VideoEvent;
  channel: string;
  externalId: string;
  /** Where the file is (downloaded). */
  filePath?: string;
  /** Why it failed (failed). */
  reason?: string;
}

/** The notification as sent: the webhook's JSON body, and what Apprise's title and body are made of. */
export interface VideoNotification extends VideoEnd {
  /** The video's title from its row. */
  title: string;
  /** The video's page, when its source gave one. */
  url?: string;
}

/** One place a notification goes. */
export type NotifyTarget = { kind: 'webhook'; url: string } | { kind: 'apprise'; urls: string[] };

/** `Downloaded: <title>` / `Failed: <title>`. */
export function titleOf(notification: VideoNotification): string {
  return `${notification.event === 'downloaded' ? 'Downloaded' : 'Failed'}: ${notification.title}`;
}

/** The lines under the title: the channel, then the path or the reason. */
export function bodyOf(notification: VideoNotification): string {
  const detail = notification.event === 'downloaded' ? notification.filePath : notification.reason;
  return [`channel ${notification.channel}`, detail, notification.url].filter(Boolean).join('\n');
}
