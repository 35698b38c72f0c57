import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { services } from '../helpers/services.ts';
import { timeSkippingEnvironment } from '../helpers/time-skipping.ts';
import { HISTORY_SCENARIOS } from './history-scenarios.ts';

// `npm run record-histories`: runs the recorded scenarios (history-scenarios.ts) on
// today's workflow code and writes each run's history to test/fixtures/histories/, in
// the JSON the temporal CLI and the Web UI export (what an operator would download to
// replay a production workflow). Run it after a deliberate change to a workflow's
// commands, while no release is out; once one is, such a change needs patched() instead.

const FIXTURES = new URL('../fixtures/histories/', import.meta.url);
const timeSkipping = await timeSkippingEnvironment();
const run = promisify(execFile);

for (const scenario of HISTORY_SCENARIOS) {
  test(`record: ${scenario.description}`, { timeout: 120_000 }, async () => {
    for (const { name, workflowId, runId } of await scenario.run(timeSkipping)) {
      const { stdout } = await run(
        services.temporalCli,
        ['workflow', 'show', '--address', timeSkipping.env.address, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      // Re-indented so that a re-recording shows as a readable diff.
      await writeFile(new URL(`${name}.json`, FIXTURES), `${JSON.stringify(JSON.parse(stdout), null, 2)}\n`);
    }
  });
}
