import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Finds the `temporal` CLI: TEMPORAL_CLI when set, else the project's own build in
// .tools/bin, built on first use by scripts/ensure-temporal.sh (go install, minutes).

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ensureScript = path.join(projectRoot, 'scripts', 'ensure-temporal.sh');

export async function ensureTemporalCli(cliPath?: string): Promise<string> {
  const env = { ...process.env, ...(cliPath ? { TEMPORAL_CLI: cliPath } : {}) };
  // The script reports its progress on stderr (shown as it runs) and the path on stdout.
  const child = promisify(execFile)(ensureScript, [], { env, maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  const found = stdout.trim().split('\n').pop();
  if (!found) throw new Error(`${ensureScript} printed no path to a temporal CLI`);
  return found;
}
