import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { Command } from 'commander';
import ms from 'ms';
import { addChannelEntry, channelNameFromUrl, removeChannelEntry } from '../config/channel-file-edit.ts';
import { loadChannelList } from '../config/channels.ts';
import { parseDuration } from '../rules/durations.ts';
import { reopenBackfillSkipsSince } from '../db/video-search.ts';
import { scheduleIdFor } from '../shared/names.ts';
import { withContext } from './command.ts';
import { CliError, type CliContext } from './context.ts';
import { printJson, printTable } from './output.ts';
import { channelSchedule, describeChannelSchedule, syncChannels } from './schedules.ts';

// `parker channels …`: the channels of channels.yaml and their Temporal Schedules.

interface ChannelRow {
  name: string;
  url: string;
  every: string;
  schedule: 'active' | 'paused' | 'missing';
  note?: string;
  nextCrawl?: string;
  lastCrawl?: string;
}

async function listChannels(context: CliContext, options: { json?: boolean }): Promise<void> {
  const list = await loadChannelList(context.settings.configPath);
  const rows: ChannelRow[] = [];
  for (const channel of list.channels) {
    const description = await describeChannelSchedule(context, channel.name);
    rows.push({
      name: channel.name,
      url: channel.url,
      every: channel.every,
      schedule: !description ? 'missing' : description.state.paused ? 'paused' : 'active',
      ...(description?.state.paused && description.state.note ? { note: description.state.note } : {}),
      ...(description?.info.nextActionTimes[0] ? { nextCrawl: description.info.nextActionTimes[0].toISOString() } : {}),
      ...(description?.info.recentActions.at(-1) ? { lastCrawl: description.info.recentActions.at(-1)!.takenAt.toISOString() } : {}),
    });
  }
  if (options.json) return printJson({ channels: rows, problems: list.problems });
  printTable(
    ['NAME', 'EVERY', 'SCHEDULE', 'NEXT CRAWL', 'URL'],
    rows.map((row) => [row.name, row.every, row.note ? `paused (${row.note})` : row.schedule, row.nextCrawl ?? '-', row.url]),
  );
  for (const problem of list.problems) process.stderr.write(`${problem.message}\n`);
}

function backfillOption(text: string): number | 'all' {
  if (text === 'all') return 'all';
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0) throw new CliError(`--backfill ${text}: give a number of entries, or all`);
  return count;
}

async function addChannel(context: CliContext, url: string, options: { name?: string; every?: string; backfill?: number | 'all' }): Promise<void> {
  const name = options.name ?? channelNameFromUrl(url);
  await addChannelEntry(context.settings.configPath, {
    name,
    url,
    ...(options.every ? { every: options.every } : {}),
    ...(options.backfill !== undefined ? { backfill: options.backfill } : {}),
  });
  await syncChannels(context);
  process.stdout.write(`added channel ${name} to ${context.settings.configPath}; its first crawl runs now (schedule ${scheduleIdFor(name)})\n`);
}

async function removeChannel(context: CliContext, name: string): Promise<void> {
  await removeChannelEntry(context.settings.configPath, name);
  await syncChannels(context);
  process.stdout.write(`removed channel ${name} from ${context.settings.configPath} and deleted its schedule; its videos and files stay\n`);
}

async function pauseChannel(context: CliContext, name: string, options: { note?: string }): Promise<void> {
  const { handle } = await channelSchedule(context, name);
  await handle.pause(options.note ?? 'paused with `parker channels pause`');
  process.stdout.write(`paused channel ${name}: no crawls until \`parker channels resume ${name}\`\n`);
}

async function resumeChannel(context: CliContext, name: string): Promise<void> {
  const { handle } = await channelSchedule(context, name);
  await handle.unpause('resumed with `parker channels resume`');
  process.stdout.write(`resumed channel ${name}\n`);
}

async function triggerCrawl(context: CliContext, name: string): Promise<void> {
  const { handle } = await channelSchedule(context, name);
  // The schedule's own SKIP would drop a crawl asked for while one runs; BUFFER_ONE
  // runs it as soon as that one ends.
  await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  process.stdout.write(`crawl of ${name} started (or queued behind the one running)\n`);
}

async function backfillChannel(context: CliContext, name: string, options: { since: string }): Promise<void> {
  const sinceMs = parseDuration(options.since, '--since', { min: 60_000, max: 100 * 365 * 86_400_000, examples: '30d or 12w' });
  const { handle } = await channelSchedule(context, name);
  const reopened = await reopenBackfillSkipsSince(context.db(), name, new Date(Date.now() - sinceMs));
  if (reopened > 0) await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  process.stdout.write(
    reopened > 0
      ? `${reopened} video(s) of ${name} published in the last ${ms(sinceMs, { long: true })} will be downloaded by the crawl started now\n`
      : `no video of ${name} published in the last ${ms(sinceMs, { long: true })} was skipped for the backfill limit\n`,
  );
}

export function registerChannelCommands(program: Command): void {
  const channels = program.command('channels').description("the channels of channels.yaml and their schedules");
  channels.command('list').description('every channel, its schedule and its next crawl').option('--json', 'print JSON').action(withContext(listChannels));
  channels
    .command('add <url>')
    .description('add a channel to channels.yaml (keeping its comments) and schedule it; its first crawl runs at once')
    .option('--name <name>', 'its name (default: from the URL)')
    .option('--every <interval>', 'time between two crawls, e.g. 30m or 2h (default: the file\'s defaults)')
    .option('--backfill <n>', 'on the first crawl, download the newest n entries, or all', backfillOption)
    .action(withContext(addChannel));
  channels.command('remove <name>').description('remove a channel from channels.yaml and delete its schedule').action(withContext(removeChannel));
  channels.command('pause <name>').description("pause a channel's schedule").option('--note <text>', 'why, shown in the Web UI').action(withContext(pauseChannel));
  channels.command('resume <name>').description("resume a channel's schedule").action(withContext(resumeChannel));
  channels.command('trigger <name>').description('crawl a channel now; queued behind a crawl that is running').action(withContext(triggerCrawl));
  channels
    .command('backfill <name>')
    .description('download the videos published since then that the first crawl skipped for its backfill limit')
    .requiredOption('--since <age>', 'how far back, e.g. 30d')
    .action(withContext(backfillChannel));
}
