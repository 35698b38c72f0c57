import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

// Wall time and CPU time of what the benchmarks compare: a command (its children's
// rusage, as bash's `times` reports it) or a function of this process (process.cpuUsage,
// which covers its threads too: libuv's file system pool, worker threads).

export interface Measurement {
  wallSeconds: number;
  cpuSeconds: number;
}

/** `0m1.250s` → 1.25 */
function parseTimes(value: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(value);
  if (!match) throw new Error(`cannot read bash's times output "${value}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Runs a command to completion under bash; rejects with its stderr when it fails. */
export async function measureCommand(command: string, args: string[]): Promise<Measurement> {
  const quoted = [command, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  // `times` prints the shell's own user/system times, then its children's.
  const script = `${quoted} >/dev/null || exit $?; times >&3`;
  const started = process.hrtime.bigint();
  const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let times = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (data: Buffer) => (times += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`);
  const childLine = times.trim().split('\n')[1] ?? '';
  const [user = '', system = ''] = childLine.trim().split(/\s+/);
  return { wallSeconds, cpuSeconds: parseTimes(user) + parseTimes(system) };
}

/** Runs a function of this process, with the CPU the whole process spent meanwhile. */
export async function measureInProcess(run: () => Promise<unknown>): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run();
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { wallSeconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** CPU seconds a process has used so far, by pid (the worker, the dev server, MariaDB). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second).
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A line of the targets table: `MET     name: figure (target)`, or `MISSED  …`. */
export function targetLine(name: string, met: boolean, figure: string, target: string): string {
  return `${met ? 'MET   ' : 'MISSED'}  ${name}: ${figure} (target ${target})`;
}

/** Whether a line of a benchmark's output is one that targetLine wrote. */
export function isTargetLine(line: string): boolean {
  return /^(MET {3}|MISSED) {2}\S/.test(line);
}

/** The machine and its load when a benchmark ran, for BENCHMARKS.md. */
export async function machineLine(): Promise<string> {
  const os = await import('node:os');
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${load}`;
}

/** The end of a run: the machine as it is now, then each target's MET or MISSED line. */
export async function printTargets(lines: readonly string[], heading = 'targets:'): Promise<void> {
  console.log(`\nmachine at the end: ${await machineLine()}`);
  console.log(heading);
  for (const line of lines) console.log(line);
}

/** Runs a benchmark's main; a failure prints its error and exits 1, so a broken run is never read as figures. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
