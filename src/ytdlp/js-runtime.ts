import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// Since 2025.11.12, yt-dlp solves YouTube's JavaScript challenges (without which most
// formats are missing) with the yt-dlp-ejs scripts run in an external JavaScript
// runtime. Parker brings one: Deno from the npm package `deno`, a dependency, so it is
// installed offline with node_modules. An operator may name another one yt-dlp supports
// (PARKER_JS_RUNTIME=node:/usr/local/bin/node), e.g. a Node newer than the one Parker runs on.

/** The runtimes yt-dlp's `--js-runtimes` knows, in its order of preference. */
export const JS_RUNTIME_KINDS = ['deno', 'node', 'bun', 'quickjs'] as const;

/** `deno`, `node:/usr/bin/node`: a runtime yt-dlp knows, with an optional path to it. */
export const JS_RUNTIME_PATTERN = new RegExp(`^(?:${JS_RUNTIME_KINDS.join('|')})(?::.+)?$`);

/**
 * `deno:<path>` of the Deno the npm package provides: the executable its package.json
 * declares as `bin`, which runs the binary of this platform's `@deno/*` package (placed
 * by the package's install script, or found on first run where scripts did not run).
 */
export function bundledDenoRuntime(): string {
  const manifest = createRequire(import.meta.url).resolve('deno/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> };
  const launcher = typeof bin === 'string' ? bin : bin?.deno;
  if (!launcher) throw new Error(`${manifest} declares no "bin": cannot find the Deno executable`);
  return `deno:${path.resolve(path.dirname(manifest), launcher)}`;
}
