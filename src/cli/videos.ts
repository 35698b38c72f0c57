import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../rules/durations.ts';
import { searchVideos } from '../db/video-search.ts';
import { getVideo, type VideoRow, type VideoStatus } from '../db/videos.ts';
import { VIDEO_STATUSES } from '../db/migrations/009-missing-status.ts';
import { videoWorkflowId } from '../naming/workflow-ids.ts';
import { loadSettings } from '../config/settings.ts';
import { downloadWorkflowTaskQueueFor } from '../shared/names.ts';
import { withContext } from './command.ts';
import { CliError, createContext, workflowLink, type CliContext } from './context.ts';
import { registerRetryCommands } from './videos-retry.ts';
import { formatBytes, printJson, printTable } from './output.ts';

// `parker videos …`: the recorded videos, from the database, with their download
// workflows' history from Temporal. Each command is one function registered at the end,
// so new ones slot in beside them.

interface ListOptions {
  channel?: string;
  status?: string;
  since?: string;
  search?: string;
  limit: string;
  json?: boolean;
}

function statusOption(text: string | undefined): VideoStatus | undefined {
  if (text === undefined) return undefined;
  if (!(VIDEO_STATUSES as readonly string[]).includes(text)) throw new CliError(`--status ${text}: use one of ${VIDEO_STATUSES.join(', ')}`);
  return text as VideoStatus;
}

function limitOption(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit ${text}: give a whole number of rows, at least 1`);
  return limit;
}

async function listVideos(context: CliContext, options: ListOptions): Promise<void> {
  const since = options.since
    ? new Date(Date.now() - parseDuration(options.since, '--since', { min: 1_000, max: 100 * 365 * 86_400_000, examples: '12h or 30d' }))
    : undefined;
  const videos = await searchVideos(context.db(), {
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.status ? { status: statusOption(options.status)! } : {}),
    ...(since ? { since } : {}),
    ...(options.search ? { search: options.search } : {}),
    limit: limitOption(options.limit),
  });
  if (options.json) return printJson(videos);
  printTable(
    ['CHANNEL', 'ID', 'STATUS', 'PUBLISHED', 'TITLE'],
    videos.map((video) => [
      video.channel,
      video.externalId,
      video.reason && video.status !== 'downloaded' ? `${video.status}: ${video.reason.slice(0, 60)}` : video.status,
      video.publishedAt?.toISOString().slice(0, 10) ?? '-',
      video.title,
    ]),
  );
}

interface DownloadRun {
  runId: string;
  status: string;
  startTime: string;
  closeTime?: string;
}

/** Every run of the video's download workflow, newest first: a failed one may have been started again. */
async function downloadRuns(client: Client, workflowId: string): Promise<DownloadRun[]> {
  const runs: DownloadRun[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId='${workflowId.replace(/'/g, "\\'")}'` })) {
    runs.push({
      runId: run.runId,
      status: run.status.name,
      startTime: run.startTime.toISOString(),
      ...(run.closeTime ? { closeTime: run.closeTime.toISOString() } : {}),
    });
  }
  return runs;
}

/** The running download's transfer: its attempt and the activity's last failure, when it has one pending. */
async function pendingTransfer(client: Client, workflowId: string): Promise<{ activity: string; attempt: number; lastFailure?: string } | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const pending = description.raw.pendingActivities?.[0];
  if (!pending) return undefined;
  return {
    activity: pending.activityType?.name ?? '?',
    attempt: pending.attempt ?? 1,
    ...(pending.lastFailure?.message ? { lastFailure: pending.lastFailure.message } : {}),
  };
}

async function showVideo(context: CliContext, channel: string, externalId: string, options: { json?: boolean }): Promise<void> {
  const video = await getVideo(context.db(), { channel, externalId });
  if (!video) throw new CliError(`channel ${channel} has no video ${externalId}: see \`parker videos list --channel ${channel}\``);
  const workflowId = videoWorkflowId(channel, externalId);
  const { client } = await context.temporal();
  const runs = await downloadRuns(client, workflowId);
  const transfer = runs[0]?.status === 'RUNNING' ? await pendingTransfer(client, workflowId) : undefined;
  const link = workflowLink(context.settings, workflowId);
  const shown = { video, workflowId, runs, ...(transfer ? { transfer } : {}), ...(link ? { link } : {}) };
  if (options.json) return printJson(shown);
  process.stdout.write(`${describeVideo(video)}\n`);
  const lines = [
    ['workflow', workflowId],
    ['runs', runs.length === 0 ? 'none' : runs.map((run) => `${run.status.toLowerCase()} ${run.startTime}`).join(', ')],
    ...(transfer ? [['transfer', `${transfer.activity}, attempt ${transfer.attempt}${transfer.lastFailure ? ` (last failure: ${transfer.lastFailure})` : ''}`]] : []),
    ...(link ? [['web ui', link]] : []),
  ];
  process.stdout.write(`${lines.map(([key, value]) => `${key!.padEnd(10)} ${value}`).join('\n')}\n`);
}

function describeVideo(video: VideoRow): string {
  const lines: Array<[string, string | undefined]> = [
    ['title', video.title],
    ['channel', video.channel],
    ['id', video.externalId],
    ['status', video.status],
    ['reason', video.reason],
    // Whether later crawls try a failure again, how often they have, and when next.
    ['failure', video.failureKind],
    ['attempts', video.failedAttempts > 0 ? String(video.failedAttempts) : undefined],
    ['retry at', video.nextRetryAt?.toISOString()],
    ['ignored', video.ignoredAt?.toISOString()],
    ['published', video.publishedAt?.toISOString()],
    ['url', video.url],
    ['media', video.mediaUrl],
    ['file', video.filePath],
    ['bytes', video.bytes === undefined ? undefined : `${video.bytes} (${formatBytes(video.bytes)})`],
    ['sha256', video.sha256],
    ['recorded', video.createdAt.toISOString()],
    ['downloaded', video.downloadedAt?.toISOString()],
    ['deleted', video.deletedAt?.toISOString()],
  ];
  return lines.flatMap(([key, value]) => (value === undefined ? [] : [`${key.padEnd(10)} ${value}`])).join('\n');
}

export function registerVideoCommands(program: Command): Command {
  const videos = program.command('videos').description('the recorded videos and their downloads');
  videos
    .command('list')
    .description('recorded videos, newest first')
    .option('--channel <name>', 'of this channel only')
    .option('--status <status>', `with this status: ${VIDEO_STATUSES.join(', ')}`)
    .option('--since <age>', 'recorded in the last …, e.g. 24h or 30d')
    .option('--search <text>', 'whose title contains this, any case')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(withContext(listVideos));
  videos
    .command('show <channel> <id>')
    .description("one video: its row, file, checksum, download runs and Web UI link")
    .option('--json', 'print JSON')
    .action(withContext(showVideo));
  registerRetryCommands(videos, {
    async open() {
      const context = createContext(loadSettings());
      const { client } = await context.temporal();
      return {
        client,
        db: context.db(),
        // Where the download workflows run: the downloads workers' queue.
        taskQueue: downloadWorkflowTaskQueueFor(context.settings.temporal.taskQueue),
        configPath: context.settings.configPath,
        close: () => context.close(),
      };
    },
  });
  return videos;
}
