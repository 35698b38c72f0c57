import { fileURLToPath } from 'node:url';
import { access, writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
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

/**
 * The bundle's source map: file and line of each statement, without the sources' text or
 * columns. The SDK needs a map inline and parses it in every workflow thread (two per
 * worker of both roles) to map workflow stack traces; the default full map (2.2 MB, the
 * sources inlined) cost an idle worker about 36 MiB of resident memory (BENCHMARKS.md,
 * memory), while stack traces name the same files and lines with this one.
 */
const WORKFLOW_SOURCE_MAP = 'inline-nosources-cheap-source-map';

/**
 * Bundles the workflows beside this module (sources or compiled) with the tracing
 * interceptors; the tests bundle with it too, so they run what the worker runs.
 */
export async function bundleWorkflows(logger?: BundleOptions['logger']): Promise<string> {
  const { code } = await bundleWorkflowCode({
    ...(logger ? { logger } : {}),
    workflowsPath: siblingModulePath('./workflows/index.ts', import.meta.url),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    webpackConfigHook: (config) => ({ ...config, devtool: WORKFLOW_SOURCE_MAP }),
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
