import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

// A real OpenTelemetry collector on 127.0.0.1: OTLP/HTTP in, a Prometheus exporter out, as
// the compose stack has it. The binary comes from scripts/ensure-otelcol.sh (OTELCOL, or one
// it builds into .tools/otelcol); a machine that can provide neither fails the test.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestCollector {
  /** Base URL of its OTLP/HTTP receiver, as OTEL_EXPORTER_OTLP_ENDPOINT would be set. */
  otlpEndpoint: string;
  /** host:port of its Prometheus exporter, for a Prometheus to scrape. */
  prometheusTarget: string;
  output(): string;
  stop(): Promise<void>;
}

function collectorBinary(): string {
  const ensured = spawnSync('bash', [path.join(root, 'scripts', 'ensure-otelcol.sh')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (ensured.status !== 0) throw new Error(`scripts/ensure-otelcol.sh found and built no collector: ${ensured.error?.message ?? ensured.stderr}`);
  return ensured.stdout.trim();
}

export async function startCollector(timeoutMs = 30_000): Promise<TestCollector> {
  const binary = collectorBinary();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-otelcol-'));
  const [otlpPort, exporterPort] = [await freePort(), await freePort()];
  const configPath = path.join(scratch, 'config.yaml');
  writeFileSync(
    configPath,
    JSON.stringify({
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } } },
      exporters: { prometheus: { endpoint: `127.0.0.1:${exporterPort}` } },
      service: {
        // The collector's own metrics would want port 8888, which other runs may hold.
        telemetry: { metrics: { level: 'none' } },
        pipelines: { metrics: { receivers: ['otlp'], exporters: ['prometheus'] } },
      },
    }),
  );
  const child: ChildProcess = spawn(binary, [`--config=${configPath}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(scratch, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the collector exited with ${child.exitCode}:\n${output}`);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${exporterPort}/metrics`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the collector was not ready within ${timeoutMs}ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { otlpEndpoint: `http://127.0.0.1:${otlpPort}`, prometheusTarget: `127.0.0.1:${exporterPort}`, output: () => output, stop };
}
