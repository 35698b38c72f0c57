import type { Command } from 'commander';
import { ignoreVideo, retryAllFailed, retryVideo, type RetryOutcome, type RetryVideosDeps } from '../operations/retry-videos.ts';

// `parker videos retry <channel> <id>`, `parker videos retry --all-failed [--channel c]`
// and `parker videos ignore <channel> <id>`: added to the CLI's `videos` command. The
// work is in src/operations/retry-videos.ts; this file reads the arguments and prints.

export interface VideosRetryCommandDeps {
  /** Opens Temporal and the database for one command; closed when it is done. */
  open(): Promise<RetryVideosDeps & { close(): Promise<void> }>;
  /** Where results go; stdout by default. */
  print?(line: string): void;
}

function describe(outcome: RetryOutcome): string {
  const what = outcome.status === 'started' ? 'started again' : 'already downloading, left alone';
  return `${outcome.channel}/${outcome.externalId}: ${what} (workflow ${outcome.workflowId})`;
}

export function registerRetryCommands(videos: Command, deps: VideosRetryCommandDeps): void {
  const print = deps.print ?? ((line: string) => console.log(line));
  async function withServices<T>(body: (services: RetryVideosDeps) => Promise<T>): Promise<T> {
    const services = await deps.open();
    try {
      return await body(services);
    } finally {
      await services.close();
    }
  }

  videos
    .command('retry')
    .description("start a failed video's download again now, under its own workflow id, with the channel's current options")
    .argument('[channel]', 'the channel, as named in channels.yaml')
    .argument('[id]', "the video's id in its channel")
    .option('--all-failed', 'every failed video that is not ignored')
    .option('--channel <name>', 'with --all-failed: only this channel')
    .option('--json', 'print the outcomes as JSON')
    .action(async (channel: string | undefined, id: string | undefined, options: { allFailed?: boolean; channel?: string; json?: boolean }) => {
      if (options.allFailed ? channel !== undefined || id !== undefined : channel === undefined || id === undefined) {
        videos.error('give a channel and a video id, or --all-failed [--channel <name>]');
      }
      if (options.channel && !options.allFailed) videos.error('--channel goes with --all-failed; for one video give its channel and id');
      const outcomes = await withServices((services) =>
        options.allFailed
          ? retryAllFailed(services, { channel: options.channel })
          : retryVideo(services, { channel: channel!, externalId: id! }).then((outcome) => [outcome]),
      );
      if (options.json) print(JSON.stringify(outcomes));
      else if (outcomes.length === 0) print('no failed videos to retry');
      else for (const outcome of outcomes) print(describe(outcome));
    });

  videos
    .command('ignore')
    .description('set a video aside: no crawl tries it again (`videos retry` takes it back)')
    .argument('<channel>', 'the channel, as named in channels.yaml')
    .argument('<id>', "the video's id in its channel")
    .action(async (channel: string, id: string) => {
      await withServices((services) => ignoreVideo(services, { channel, externalId: id }));
      print(`${channel}/${id}: ignored; no crawl will try it again`);
    });
}
