import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// Temporal loads some of Parker's modules by file path (the workflows, their interceptors)
// rather than by import, so tsc cannot rewrite those paths. Under tsx the caller is a
// `.ts` source; in dist/ it is compiled `.js`: the module it names is the one beside it.

/** The path of `relative` (written with `.ts`) next to the module at `callerUrl`, in the caller's own form. */
export function siblingModulePath(relative: string, callerUrl: string): string {
  const compiled = callerUrl.endsWith('.js');
  return fileURLToPath(new URL(compiled ? relative.replace(/\.ts$/, '.js') : relative, callerUrl));
}

/** Whether the caller runs compiled (from dist/ with plain node), not from its sources under tsx. */
export function isCompiled(callerUrl: string): boolean {
  return callerUrl.endsWith('.js');
}

/**
 * Starts a worker thread running the module `relative` (written with `.ts`) beside the
 * caller. Compiled, that is the `.js` file itself. From sources, the thread first registers
 * tsx through its API: Node 20 does not hand the parent's `--import` loader to a thread.
 */
export function startModuleThread(relative: string, callerUrl: string): Worker {
  const file = siblingModulePath(relative, callerUrl);
  if (isCompiled(callerUrl)) return new Worker(file);
  const href = JSON.stringify(pathToFileURL(file).href);
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${href}); });`, {
    eval: true,
  });
}
