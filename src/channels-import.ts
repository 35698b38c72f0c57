import { Command } from 'commander';
import { loadSettings } from './config/settings.ts';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { importOpmlFile } from './library/opml-import.ts';
import { createLogger } from './log.ts';

// `npm run channels:import -- feeds.opml`: the feeds of an OPML file added to
// channels.yaml (PARKER_CONFIG) as channels, its comments kept. `npm run schedules`
// (or the running Parker's next start) then schedules them.

async function main(): Promise<void> {
  const [opmlFile] = new Command('channels:import').argument('<feeds.opml>', 'an OPML file exported by a podcast app or another archiver').parse().args;
  const settings = loadSettings();
  const log = createLogger(settings.logLevel);
  const result = await importOpmlFile(opmlFile!, settings.configPath);
  for (const channel of result.added) log.info(channel, `added channel ${channel.name}`);
  for (const outline of result.skipped) log.warn(outline, `left out ${outline.url}: ${outline.reason}`);
  log.info(`${result.added.length} channels added to ${settings.configPath}, ${result.skipped.length} left out; run \`npm run schedules\` to schedule them`);
}

if (isEntryPoint(import.meta.url)) runEntryPoint('parker channels import', main);
