import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { downloadWorkflowTaskQueueFor, DOWNLOAD_WORKFLOW, SCHEDULE_ID_PREFIX } from '../shared/names.ts';
import { withContext } from './command.ts';
import type { CliContext } from './context.ts';
import { viewOf, type DownloadView, type HeartbeatSample } from './download-progress.ts';
import { formatBytes, printJson } from './output.ts';

// `parker status`: the downloads in flight, one progress bar each (title, bytes, rate,
// ETA from the transfers' heartbeats), and each channel's next crawl. It asks Temporal at
// most once a second: one request per tick, going round the list of running downloads,
// their descriptions one by one, and the schedules. Plain lines when stdout is no terminal.

const REQUEST_INTERVAL_MS = 1_000;

export interface StatusSnapshot {
  downloads: DownloadView[];
  nextCrawls: Array<{ channel: string; nextCrawl?: string; paused: boolean }>;
}

/** Spaces requests at least REQUEST_INTERVAL_MS apart. */
function pacer(): () => Promise<void> {
  let last = 0;
  return async () => {
    const wait = last + REQUEST_INTERVAL_MS - Date.now();
    if (wait > 0) await sleep(wait);
    last = Date.now();
  };
}

/** Everything the view knows, refreshed one Temporal request at a time. */
function statusTracker(client: Client, taskQueue: string) {
  const samples = new Map<string, HeartbeatSample>();
  const views = new Map<string, DownloadView>();
  let running: string[] = [];
  let nextCrawls: StatusSnapshot['nextCrawls'] = [];
  const paced = pacer();

  async function listRunning(): Promise<void> {
    await paced();
    const ids: string[] = [];
    // Downloads run on the download workflows' queue; ones started before the worker roles
    // split (or by hand there) on the main queue.
    const queues = `(TaskQueue='${downloadWorkflowTaskQueueFor(taskQueue)}' OR TaskQueue='${taskQueue}')`;
    const query = `WorkflowType='${DOWNLOAD_WORKFLOW}' AND ExecutionStatus='Running' AND ${queues}`;
    for await (const workflow of client.workflow.list({ query, pageSize: 200 })) ids.push(workflow.workflowId);
    running = ids;
    for (const id of [...views.keys()]) if (!ids.includes(id)) views.delete(id);
  }

  async function describe(workflowId: string): Promise<void> {
    await paced();
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      if (description.status.name !== 'RUNNING') {
        views.delete(workflowId);
        return;
      }
      const { view, sample } = viewOf(description, await description.staticSummary(), samples.get(workflowId));
      views.set(workflowId, view);
      if (sample) samples.set(workflowId, sample);
    } catch {
      views.delete(workflowId); // gone meanwhile (finished and cleaned up)
    }
  }

  async function listSchedules(): Promise<void> {
    await paced();
    const crawls: StatusSnapshot['nextCrawls'] = [];
    for await (const schedule of client.schedule.list({ pageSize: 200 })) {
      if (!schedule.scheduleId.startsWith(SCHEDULE_ID_PREFIX)) continue;
      const next = schedule.info.nextActionTimes[0];
      crawls.push({
        channel: schedule.scheduleId.slice(SCHEDULE_ID_PREFIX.length),
        paused: schedule.state.paused,
        ...(next ? { nextCrawl: next.toISOString() } : {}),
      });
    }
    nextCrawls = crawls.sort((a, b) => a.channel.localeCompare(b.channel));
  }

  return {
    /** Round after round, a snapshot after each request: what a terminal redraws. */
    async *steps(): AsyncGenerator<StatusSnapshot> {
      for (;;) {
        await listRunning();
        for (const id of running) {
          await describe(id);
          yield snapshot();
        }
        await listSchedules();
        yield snapshot();
      }
    },
    /** One round: the running downloads, each one's description, then the schedules. */
    async round(): Promise<StatusSnapshot> {
      await listRunning();
      for (const id of running) await describe(id);
      await listSchedules();
      return snapshot();
    },
  };

  function snapshot(): StatusSnapshot {
    return { downloads: running.flatMap((id) => views.get(id) ?? []), nextCrawls };
  }
}

function rateText(view: DownloadView): string {
  return view.rate === undefined ? '-' : `${formatBytes(Math.round(view.rate))}/s`;
}

function etaText(view: DownloadView): string {
  if (view.etaSeconds === undefined) return '-';
  const seconds = view.etaSeconds;
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

function plainLine(view: DownloadView): string {
  const total = view.totalBytes === undefined ? '?' : formatBytes(view.totalBytes);
  const state = view.state && view.state !== 'downloading' ? ` [${view.state}]` : '';
  return `${view.channel ?? '?'}: ${view.title}${state}  ${formatBytes(view.bytesDone)} / ${total}  ${rateText(view)}  ETA ${etaText(view)}`;
}

function plainCrawls(snapshot: StatusSnapshot): string[] {
  return snapshot.nextCrawls.map((crawl) => `next crawl of ${crawl.channel}: ${crawl.paused ? 'paused' : (crawl.nextCrawl ?? '-')}`);
}

/** Bars in a terminal, one per download, kept in step with the snapshots. */
function terminalView() {
  const bars = new MultiBar(
    {
      format: '{title} |{bar}| {done} / {size}  {rate}  ETA {eta}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 30,
      // Redrawn on each snapshot, not on a timer of the library's own.
      noTTYOutput: false,
    },
    Presets.shades_classic,
  );
  const byId = new Map<string, SingleBar>();
  let footer: SingleBar | undefined;
  return {
    render(snapshot: StatusSnapshot) {
      for (const [id, bar] of byId) {
        if (!snapshot.downloads.some((view) => view.workflowId === id)) {
          bars.remove(bar);
          byId.delete(id);
        }
      }
      for (const view of snapshot.downloads) {
        const total = view.totalBytes ?? Math.max(view.bytesDone, 1);
        const payload = {
          title: `${view.channel ?? '?'}: ${view.title}`.slice(0, 50).padEnd(50),
          done: formatBytes(view.bytesDone),
          size: view.totalBytes === undefined ? '?' : formatBytes(view.totalBytes),
          rate: rateText(view),
          eta: etaText(view),
        };
        const bar = byId.get(view.workflowId);
        if (bar) {
          bar.setTotal(total);
          bar.update(view.bytesDone, payload);
        } else {
          byId.set(view.workflowId, bars.create(total, view.bytesDone, payload));
        }
      }
      const crawls = plainCrawls(snapshot).join('  |  ') || 'no channel schedules';
      if (!footer) footer = bars.create(1, 0, { title: crawls, done: '', size: '', rate: '', eta: '' }, { format: '{title}' });
      else footer.update(0, { title: crawls });
    },
    stop: () => bars.stop(),
  };
}

async function status(context: CliContext, options: { once?: boolean; json?: boolean }): Promise<void> {
  const { client } = await context.temporal();
  const tracker = statusTracker(client, context.settings.temporal.taskQueue);
  if (options.once) {
    const snapshot = await tracker.round();
    if (options.json) return printJson(snapshot);
    for (const view of snapshot.downloads) process.stdout.write(`${plainLine(view)}\n`);
    for (const line of plainCrawls(snapshot)) process.stdout.write(`${line}\n`);
    return;
  }
  const stopped = new AbortController();
  process.once('SIGINT', () => stopped.abort());
  if (!process.stdout.isTTY) {
    while (!stopped.signal.aborted) {
      const snapshot = await tracker.round();
      process.stdout.write(`${new Date().toISOString()} ${snapshot.downloads.length} download(s) in flight\n`);
      for (const view of snapshot.downloads) process.stdout.write(`  ${plainLine(view)}\n`);
      for (const line of plainCrawls(snapshot)) process.stdout.write(`  ${line}\n`);
    }
    return;
  }
  const terminal = terminalView();
  try {
    for await (const snapshot of tracker.steps()) {
      if (stopped.signal.aborted) break;
      terminal.render(snapshot);
    }
  } finally {
    terminal.stop();
  }
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('downloads in flight with their progress, and each channel\'s next crawl (Ctrl-C stops)')
    .option('--once', 'print one round and exit')
    .option('--json', 'with --once: print JSON')
    .action(withContext(status));
}
