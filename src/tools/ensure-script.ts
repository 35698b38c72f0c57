import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The project's tools (the temporal CLI, yt-dlp) are installed by scripts/ensure-*.sh,
// which CI and a developer run too. Parker runs the same script when a tool is missing,
// so `npm install && npm start` works on a fresh machine.

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs scripts/<name>, which prints the tool's path on stdout and its progress on stderr
 * (shown as it runs: a first install takes a while), and returns the path.
 */
export async function runEnsureScript(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const script = path.join(projectRoot, 'scripts', name);
  const child = promisify(execFile)(script, [], { env, maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  const found = stdout.trim().split('\n').pop();
  if (!found) throw new Error(`${script} printed no path`);
  return found;
}
