import { pathToFileURL } from 'node:url';

// Shared by the small entry points (worker, schedule, main, demo): run, and on error
// say what went wrong in one line and exit non-zero.

/** Whether the module with this URL is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

export function runEntryPoint(name: string, body: () => Promise<void>): void {
  body().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name}: ${message}\n`);
      if (process.env.PARKER_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
}
