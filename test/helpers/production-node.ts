import { readFileSync } from 'node:fs';
import path from 'node:path';

// How production starts node: the flags of the Dockerfile's CMD, read from the Dockerfile
// itself, so that the tests and benchmarks that run Parker "as production runs it" use the
// same ones, and a flag added there reaches them without a second list to keep in step.

const DOCKERFILE = path.resolve(import.meta.dirname, '../../Dockerfile');

/** The Dockerfile's CMD, as the array it is written as. */
export function dockerfileCommand(): string[] {
  const line = /^CMD (\[.*\])\s*$/m.exec(readFileSync(DOCKERFILE, 'utf8'));
  if (!line) throw new Error(`${DOCKERFILE}: no CMD ["node", …] line`);
  return JSON.parse(line[1]!) as string[];
}

/** node's flags in production: what the Dockerfile's CMD puts between `node` and the script. */
export function productionNodeFlags(): string[] {
  const [command, ...rest] = dockerfileCommand();
  if (command !== 'node') throw new Error(`${DOCKERFILE}: CMD starts ${command}, not node`);
  return rest.filter((arg) => arg.startsWith('--'));
}
