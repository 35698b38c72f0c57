import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

// A real Prometheus (Debian's `prometheus` package) on 127.0.0.1, scraping the given
// targets every second, with its data in a scratch folder. A machine without it fails
// the test that needs it, with the way to get it.

const BINARY = process.env.PROMETHEUS_BIN ?? 'prometheus';
const INSTALL_HINT = 'install Debian\'s prometheus package (apt-get install prometheus; npm test does it as root)';

export interface PrometheusSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TestPrometheus {
  url: string;
  /** An instant query through the HTTP API; throws on anything but success. */
  query(expr: string): Promise<PrometheusSeries[]>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * @param metricRelabelConfigs the scrape job's metric_relabel_configs (a compose job's own, for instance)
 */
export async function startPrometheus(targets: string[], timeoutMs = 30_000, metricRelabelConfigs: unknown[] = []): Promise<TestPrometheus> {
  const found = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(`cannot run ${BINARY} (${found.error?.message ?? found.stderr}): ${INSTALL_HINT}`);
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-prometheus-'));
  const configPath = path.join(scratch, 'prometheus.yml');
  writeFileSync(
    configPath,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [{ job_name: 'parker', static_configs: [{ targets }], metric_relabel_configs: metricRelabelConfigs }],
    }),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${path.join(scratch, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(scratch, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${timeoutMs}ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    url,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: PrometheusSeries[] } };
      if (body.status !== 'success' || !body.data) throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
      if (body.data.resultType !== 'vector') throw new Error(`query ${expr} returned a ${body.data.resultType}, not a vector`);
      return body.data.result;
    },
    output: () => output,
    stop,
  };
}
