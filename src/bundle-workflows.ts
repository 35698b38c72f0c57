import { fileURLToPath } from 'node:url';
import { access, writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { isEntryPoint, runEntryPoint } from './entry-point.ts';
import { siblingModulePath } from './module-path.ts';
import { WORKFLOW_INTERCEPTOR_MODULES } from './telemetry/interceptors.ts';

// The workflow code, bundled once by `npm run build` (from the compiled workflows in
// dist/) instead of by every worker at start: webpack at start costs a production worker
// seconds of CPU and heap it keeps.

/** The prebuilt bundle beside this module: dist/workflows.bundle.js once built. */
export const PREBUILT_WORKFLOW_BUNDLE = fileURLToPath(new URL('./workflows.bundle.js', import.meta.url));

/** The prebuilt bundle for a compiled worker; throws naming the file when the build has not made it. */
export async function prebuiltWorkflowBundle(): Promise<{ codePath: string }> {
  try {
    await access(PREBUILT_WORKFLOW_BUNDLE);
  } catch {
    throw new Error(`${PREBUILT_WORKFLOW_BUNDLE} is missing: \`npm run build\` makes it`);
  }
  return { codePath: PREBUILT_WORKFLOW_BUNDLE };
}

/** Bundles the workflows beside this module (sources or compiled) with the tracing interceptors. */
export async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: siblingModulePath('./workflows/index.ts', import.meta.url),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  return code;
}

if (isEntryPoint(import.meta.url)) {
  runEntryPoint('parker bundle-workflows', async () => {
    const target = process.argv[2] ?? PREBUILT_WORKFLOW_BUNDLE;
    await writeFile(target, await bundleWorkflows());
    process.stdout.write(`workflow bundle written to ${target}\n`);
  });
}
