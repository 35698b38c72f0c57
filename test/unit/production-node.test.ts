import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dockerfileCommand, productionNodeFlags } from '../helpers/production-node.ts';

// Production starts node one way, written in two places (the Dockerfile's CMD and `npm run
// start:prod`); the tests and benchmarks take the flags from the Dockerfile.

const root = path.resolve(import.meta.dirname, '../..');

test("the Dockerfile runs the compiled worker with node's production flags, and this node accepts them", () => {
  assert.deepEqual(dockerfileCommand(), ['node', ...productionNodeFlags(), 'dist/worker.js']);
  // The small young generation (idle memory) and the array buffers swept at once (a download's CPU).
  assert.deepEqual(productionNodeFlags(), ['--max-semi-space-size=1', '--no-concurrent-array-buffer-sweeping']);
  const run = spawnSync(process.execPath, [...productionNodeFlags(), '-e', ''], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
});

test('npm run start:prod starts node with the same flags as the Dockerfile', () => {
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts['start:prod'], `node ${productionNodeFlags().join(' ')} dist/main.js`);
});
