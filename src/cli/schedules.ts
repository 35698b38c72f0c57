import { ScheduleNotFoundError, type ScheduleDescription, type ScheduleHandle } from '@temporalio/client';
import { loadChannelList, type ChannelList } from '../config/channels.ts';
import { createLogger } from '../log.ts';
import { syncFromChannelList } from '../schedule.ts';
import { scheduleIdFor } from '../shared/names.ts';
import type { SyncReport } from '../temporal/channel-schedules.ts';
import { registerSearchAttributes } from '../temporal/search-attributes.ts';
import { CliError, type CliContext } from './context.ts';

// The channel schedules as the CLI reaches them: by channel name, with a message that
// says what to do when a channel has none.

export async function channelSchedule(context: CliContext, channel: string): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
  const { client } = await context.temporal();
  const handle = client.schedule.getHandle(scheduleIdFor(channel));
  try {
    return { handle, description: await handle.describe() };
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    throw new CliError(
      `channel "${channel}" has no schedule (${scheduleIdFor(channel)}): add it with \`parker channels add <url> --name ${channel}\`, or see \`parker channels list\``,
    );
  }
}

/** The schedule's description, or undefined when the channel has none yet. */
export async function describeChannelSchedule(context: CliContext, channel: string): Promise<ScheduleDescription | undefined> {
  const { client } = await context.temporal();
  try {
    return await client.schedule.getHandle(scheduleIdFor(channel)).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}

/** Makes the schedules match channels.yaml, as `npm run schedules` does; a broken entry fails the command. */
export async function syncChannels(context: CliContext): Promise<{ list: ChannelList; report: SyncReport }> {
  const list = await loadChannelList(context.settings.configPath);
  const { client, connection } = await context.temporal();
  await registerSearchAttributes(connection, context.settings.temporal.namespace);
  // Warnings and errors only: the command prints its own result.
  const report = await syncFromChannelList(client, list, context.settings, createLogger('warn', { name: 'parker channels', format: context.settings.logFormat }));
  if (list.problems.length > 0) {
    throw new CliError(`${list.problems[0]!.message}: fix the entry in ${list.file}, then run \`npm run schedules\``);
  }
  return { list, report };
}
