import { Context } from '@temporalio/activity';
import { loadChannelList } from '../config/channels.ts';
import type { Db } from '../db/connect.ts';
import { getVideo } from '../db/videos.ts';
import { sendApprise } from '../notify/apprise.ts';
import { sendWebhook } from '../notify/webhook.ts';
import type { NotifyTarget, VideoEnd, VideoNotification } from '../shared/notify.ts';
import { translatingErrors } from './failures.ts';

// The notifications' I/O, run by the notification workflow (src/workflows/notify.ts) that
// a download starts at its end: find where the channel's notifications go, as
// channels.yaml says now, then deliver to each place on its own.

export interface NotifyActivityDeps {
  db: Db;
  /** channels.yaml, read for the channel's `notify:` at each notification. */
  configPath: string;
  /** The apprise executable (APPRISE_PATH). */
  apprisePath: string;
}

export function createNotifyActivities({ db, configPath, apprisePath }: NotifyActivityDeps) {
  return {
    /** The notification for a video's end, and where it goes; no targets when the channel sends none for this event. */
    async prepareNotification(end: VideoEnd): Promise<{ notification: VideoNotification; targets: NotifyTarget[] }> {
      return translatingErrors(async () => {
        const config = (await loadChannelList(configPath)).channels.find((channel) => channel.name === end.channel)?.notify;
        const video = await getVideo(db, end);
        const notification: VideoNotification = { ...end, title: video?.title ?? end.externalId, ...(video?.url ? { url: video.url } : {}) };
        const targets: NotifyTarget[] = [];
        if (config?.on.includes(end.event)) {
          if (config.webhook) targets.push({ kind: 'webhook', url: config.webhook });
          if (config.apprise) targets.push({ kind: 'apprise', urls: config.apprise });
        }
        return { notification, targets };
      });
    },

    /** Sends the notification to one target: a webhook's JSON POST, or apprise for its URLs. */
    async deliverNotification(input: { target: NotifyTarget; notification: VideoNotification }): Promise<void> {
      const { cancellationSignal, log, info } = Context.current();
      const { target, notification } = input;
      await translatingErrors(
        () =>
          target.kind === 'webhook'
            ? sendWebhook(target.url, notification, cancellationSignal)
            : sendApprise(apprisePath, target.urls, notification, cancellationSignal),
        info.attempt,
      );
      log.info('notification sent', { channel: notification.channel, videoId: notification.externalId, event: notification.event, target: target.kind });
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
