import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { services } from './services.ts';

// The real `temporal` CLI (the project's build, or TEMPORAL_CLI) against the test server:
// what a person types, checked the way they would read it.

const run = promisify(execFile);

/** Runs `temporal <args> --address <test server>` and returns its standard output. */
export async function temporal(args: string[]): Promise<string> {
  const { stdout } = await run(services.temporalCli, [...args, '--address', services.temporalAddress], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export interface ListedWorkflow {
  execution: { workflowId: string; runId: string };
  type: { name: string };
  status: string;
}

/** `temporal workflow list --query <query> -o json`. */
export async function listWorkflows(query: string): Promise<ListedWorkflow[]> {
  return JSON.parse(await temporal(['workflow', 'list', '--query', query, '-o', 'json'])) as ListedWorkflow[];
}

/**
 * Asks `temporal workflow list` until the ids it lists for the query are exactly `ids`
 * (visibility trails the workflows by a moment), and fails with what it listed last.
 */
export async function waitForListed(query: string, ids: readonly string[], timeoutMs = 20_000): Promise<ListedWorkflow[]> {
  const wanted = [...ids].sort();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await listWorkflows(query);
    const got = listed.map((workflow) => workflow.execution.workflowId).sort();
    if (JSON.stringify(got) === JSON.stringify(wanted)) return listed;
    if (Date.now() > deadline) {
      throw new Error(`temporal workflow list --query "${query}" listed [${got.join(', ')}], not [${wanted.join(', ')}]`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The one-line summary `temporal workflow describe` shows for a workflow. */
export async function describedSummary(workflowId: string): Promise<string | undefined> {
  const described = JSON.parse(await temporal(['workflow', 'describe', '--workflow-id', workflowId, '-o', 'json'])) as {
    executionConfig?: { userMetadata?: { summary?: string } };
  };
  return described.executionConfig?.userMetadata?.summary;
}
