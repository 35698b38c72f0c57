import { spawnSync } from 'node:child_process';
import { productionNodeFlags } from '../../test/helpers/production-node.ts';

// A benchmark that runs Parker's code in its own process (the throughput benchmark's
// downloader) measures it under production's node flags, the Dockerfile's: V8's garbage
// collector settings among them change what a GiB costs by a third.

/**
 * Returns when this process already runs with the production flags; otherwise runs this
 * script again under them, with the same loader and arguments, and exits with its code.
 */
export function rerunUnderProductionFlags(): string[] {
  const flags = productionNodeFlags();
  if (flags.every((flag) => process.execArgv.includes(flag))) return flags;
  const run = spawnSync(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
