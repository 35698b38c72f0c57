import { fileURLToPath } from 'node:url';

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
