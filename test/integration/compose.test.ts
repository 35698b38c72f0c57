import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

// docker-compose.yml, as docker-compose itself reads it: `docker-compose config` validates
// the file (Debian bookworm's docker-compose 1.29 is the oldest reader it is written for)
// and prints it resolved, with the ${VAR:-default}s filled in. No Docker engine is needed.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const INSTALL_HINT =
  'docker-compose is not installed: install Debian\'s docker-compose package (apt-get install docker-compose) to run this test';

interface ComposeRun {
  stdout: string;
  stderr: string;
}

type Environment = Record<string, string | number | boolean | null> | string[] | undefined;

interface LongPort {
  host_ip?: string;
  published?: string | number;
  target?: string | number;
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Environment;
  ports?: (string | number | LongPort)[];
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  restart?: string;
}

interface ComposeConfig {
  services: Record<string, Service>;
}

let run: Promise<ComposeRun> | undefined;

/** `docker-compose -f docker-compose.yml config` in the project root, run once per file. */
function composeConfig(): Promise<ComposeRun> {
  run ??= promisify(execFile)('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: root,
    timeout: 60_000,
    maxBuffer: 4 << 20,
  }).then(
    ({ stdout, stderr }) => ({ stdout, stderr }),
    (error: NodeJS.ErrnoException & { stderr?: string; code?: string | number }) => {
      if (error.code === 'ENOENT') throw new Error(INSTALL_HINT);
      throw new Error(
        `docker-compose -f docker-compose.yml config failed (exit ${String(error.code)}):\n${error.stderr ?? error.message}`,
      );
    },
  );
  return run;
}

async function config(): Promise<ComposeConfig> {
  const parsed = parse((await composeConfig()).stdout) as ComposeConfig | null;
  assert.ok(parsed?.services, 'docker-compose config printed no services');
  return parsed;
}

async function service(name: string): Promise<Service> {
  const found = (await config()).services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
}

/** The environment of a service as a map, whichever of its two forms the file uses. */
function envOf(svc: Service): Record<string, string> {
  const env = svc.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** The host address a published port binds to ('' when it has none, i.e. every interface). */
function hostIp(port: string | number | LongPort): string {
  if (typeof port === 'object') return port.host_ip ?? '';
  const text = String(port);
  // HOST_IP:HOST_PORT:CONTAINER_PORT[/proto]; one or two parts carry no address.
  const parts = text.split(':');
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
}

function dependsOn(svc: Service): string[] {
  const deps = svc.depends_on;
  if (!deps) return [];
  return Array.isArray(deps) ? deps : Object.keys(deps);
}

describe('docker-compose.yml', () => {
  test('docker-compose config accepts it', async () => {
    const { stdout } = await composeConfig();
    assert.ok(stdout.trim().length > 0, 'docker-compose config printed nothing');
  });

  test('has the mysql, temporal, temporal-ui, parker-worker, parker-schedules and observability services', async () => {
    const names = Object.keys((await config()).services);
    for (const name of ['mysql', 'temporal', 'temporal-ui', 'parker-worker', 'parker-schedules', 'otel-collector', 'prometheus', 'grafana']) {
      assert.ok(names.includes(name), `missing service ${name} (have: ${names.join(', ')})`);
    }
  });

  test('every published port binds to 127.0.0.1', async () => {
    const { services } = await config();
    let published = 0;
    for (const [name, svc] of Object.entries(services)) {
      for (const port of svc.ports ?? []) {
        published++;
        assert.equal(hostIp(port), '127.0.0.1', `${name} publishes ${JSON.stringify(port)} beyond 127.0.0.1`);
      }
    }
    assert.ok(published >= 5, 'expected MySQL, Temporal, the Web UI, Prometheus and Grafana to be published on 127.0.0.1');
  });

  test('temporal keeps its state in the mysql service', async () => {
    const temporal = await service('temporal');
    assert.match(temporal.image ?? '', /^temporalio\/auto-setup:1\.2\d+\.\d+$/, 'temporal should pin a 1.2x auto-setup image');
    const env = envOf(temporal);
    const plugin = env.DB ?? env.SQL_PLUGIN ?? '';
    assert.match(plugin, /^mysql/, `temporal should persist to MySQL (DB=${plugin})`);
    assert.equal(env.MYSQL_SEEDS ?? env.SQL_HOST, 'mysql', 'temporal should reach the mysql service');
    assert.ok(dependsOn(temporal).includes('mysql'), 'temporal should depend on mysql');
  });

  test('the worker talks to temporal and to MySQL', async () => {
    const worker = await service('parker-worker');
    assert.ok(worker.build, 'parker-worker should be built from the Dockerfile');
    const env = envOf(worker);
    assert.ok(env.TEMPORAL_ADDRESS, 'parker-worker needs TEMPORAL_ADDRESS');
    assert.match(env.TEMPORAL_ADDRESS, /^temporal:\d+$/);
    assert.match(env.DATABASE_URL ?? '', /^mysql:\/\//, 'parker-worker needs a mysql:// DATABASE_URL');
    assert.equal(new URL(env.DATABASE_URL ?? '').hostname, 'mysql');
    assert.ok(env.DOWNLOAD_DIR, 'parker-worker needs DOWNLOAD_DIR');
    const deps = dependsOn(worker);
    assert.ok(deps.includes('temporal') && deps.includes('mysql'), `parker-worker depends on ${deps.join(', ')}`);
  });

  test('parker-schedules runs once with channels.yaml mounted read-only', async () => {
    const schedules = await service('parker-schedules');
    const command = Array.isArray(schedules.command) ? schedules.command.join(' ') : (schedules.command ?? '');
    assert.match(command, /^node dist\/schedule\.js$/, 'compiled, run by plain node: the image has no sources');
    assert.equal(schedules.restart, 'no');
    const env = envOf(schedules);
    assert.ok(env.TEMPORAL_ADDRESS, 'parker-schedules needs TEMPORAL_ADDRESS');
    const mount = (schedules.volumes ?? []).find((volume) =>
      typeof volume === 'string' ? volume.split(':')[1] === env.PARKER_CONFIG : volume.target === env.PARKER_CONFIG,
    );
    assert.ok(mount, `nothing is mounted at PARKER_CONFIG=${env.PARKER_CONFIG}`);
    const readOnly = typeof mount === 'string' ? /:ro(,|$)/.test(mount) : mount.read_only === true;
    assert.ok(readOnly, 'channels.yaml should be mounted read-only');
  });

  test('prometheus scrapes the metrics endpoint the worker serves', async () => {
    const worker = envOf(await service('parker-worker'));
    assert.match(worker.PARKER_METRICS_PORT ?? '', /^\d+$/, 'parker-worker needs PARKER_METRICS_PORT');
    assert.equal(worker.PARKER_METRICS_HOST, '0.0.0.0', 'the worker must listen beyond its own loopback for prometheus');
    const prometheus = await service('prometheus');
    const mount = mountOf(prometheus, '/etc/prometheus/prometheus.yml');
    const scrape = parse(await readFile(path.resolve(root, mount), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = scrape.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    assert.ok(targets.includes(`parker-worker:${worker.PARKER_METRICS_PORT}`), `prometheus scrapes ${targets.join(', ')}`);
  });

  test('the worker sends traces to the collector, which receives OTLP/HTTP', async () => {
    const worker = envOf(await service('parker-worker'));
    const endpoint = new URL(worker.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://missing');
    assert.equal(endpoint.hostname, 'otel-collector');
    const collector = parse(await readFile(path.resolve(root, mountOf(await service('otel-collector'), '/etc/otelcol/config.yaml')), 'utf8')) as {
      receivers: { otlp: { protocols: { http?: { endpoint?: string } } } };
      service: { pipelines: { traces: { receivers: string[] } } };
    };
    assert.match(collector.receivers.otlp.protocols.http?.endpoint ?? '', new RegExp(`:${endpoint.port}$`));
    assert.ok(collector.service.pipelines.traces.receivers.includes('otlp'));
  });

  test('grafana is provisioned with the prometheus data source and the dashboard in the repository', async () => {
    const grafana = await service('grafana');
    const provisioning = mountOf(grafana, '/etc/grafana/provisioning');
    const datasources = parse(await readFile(path.resolve(root, provisioning, 'datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; url: string; type: string }[];
    };
    const [source] = datasources.datasources;
    assert.equal(source?.type, 'prometheus');
    assert.equal(new URL(source.url).hostname, 'prometheus');
    const providers = parse(await readFile(path.resolve(root, provisioning, 'dashboards/parker.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const dashboards = mountOf(grafana, providers.providers[0]!.options.path);
    const dashboard = JSON.parse(await readFile(path.resolve(root, dashboards, 'parker.json'), 'utf8')) as {
      panels: { datasource?: { uid?: string } }[];
    };
    for (const panel of dashboard.panels) assert.equal(panel.datasource?.uid, source.uid, 'every panel uses the provisioned data source');
  });
});

/** The host path a service mounts at a container path (relative to the project root). */
function mountOf(svc: Service, target: string): string {
  for (const volume of svc.volumes ?? []) {
    if (typeof volume === 'string') {
      const [source, at] = volume.split(':');
      if (at === target && source) return source;
    } else if (volume.target === target && volume.source) {
      return volume.source;
    }
  }
  assert.fail(`nothing is mounted at ${target}`);
}
