import { runEnsureScript } from '../tools/ensure-script.ts';

// Finds the `temporal` CLI: TEMPORAL_CLI when set, else the project's own build in
// .tools/bin, built on first use by scripts/ensure-temporal.sh (go install, minutes).

export async function ensureTemporalCli(cliPath?: string): Promise<string> {
  return runEnsureScript('ensure-temporal.sh', { ...process.env, ...(cliPath ? { TEMPORAL_CLI: cliPath } : {}) });
}
