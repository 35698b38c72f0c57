// `npm run bench`: every benchmark of BENCHMARKS.md, one after another (they would
// disturb each other side by side on two cores), each through its own npm script, so it
// runs exactly as it does alone. Their output goes through as it comes; at the end every
// target's MET or MISSED line is printed again under its benchmark's name, and the exit
// code is 1 when any benchmark failed to run (a missed target is a figure, not a failure).
import { spawn } from 'node:child_process';
import { isTargetLine, machineLine, runBenchmark } from './lib/measure.ts';

const BENCHMARKS = ['throughput', 'memory', 'schedule-sync', 'idle-crawl', 'pipeline', 'resume'] as const;

interface Outcome {
  name: string;
  exitCode: number | null;
  targets: string[];
  minutes: number;
}

/** Runs `npm run bench:<name>`, echoing its output and keeping its target lines. */
function runOne(name: string): Promise<Outcome> {
  const started = Date.now();
  const child = spawn('npm', ['run', `bench:${name}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const targets: string[] = [];
  let pending = '';
  child.stdout.on('data', (data: Buffer) => {
    process.stdout.write(data);
    const lines = (pending + data.toString()).split('\n');
    pending = lines.pop() ?? '';
    targets.push(...lines.filter(isTargetLine));
  });
  return new Promise((resolve) =>
    child.once('close', (exitCode) => resolve({ name, exitCode, targets, minutes: (Date.now() - started) / 60_000 })),
  );
}

async function main(): Promise<void> {
  console.log(`machine: ${await machineLine()}`);
  const outcomes: Outcome[] = [];
  for (const name of BENCHMARKS) {
    console.log(`\n=== bench:${name} ===`);
    outcomes.push(await runOne(name));
  }
  console.log(`\n=== every target (machine at the end: ${await machineLine()}) ===`);
  for (const { name, exitCode, targets, minutes } of outcomes) {
    const state = exitCode === 0 ? `${minutes.toFixed(1)} min` : `FAILED with exit code ${exitCode}: its figures above are not complete`;
    console.log(`bench:${name} (${state})`);
    for (const line of targets) console.log(`  ${line}`);
  }
  if (outcomes.some((outcome) => outcome.exitCode !== 0)) process.exitCode = 1;
}

runBenchmark(main);
