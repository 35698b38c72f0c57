import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

// docker-compose.yml, as docker-compose itself reads it: `docker-compose config` validates
// the file (Debian bookworm's docker-compose 1.29 is the oldest reader it is written for)
// and prints it resolved, with the ${VAR:-default}s filled in, here from an env file with
// the secrets .env.example asks for. No Docker engine is needed.

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
  entrypoint?: string | string[];
  healthcheck?: { test?: string[] | string };
}

interface ComposeConfig {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The secrets .env.example lists, each given a value as a user's .env would. */
const SECRETS = { TEMPORAL_DB_PASSWORD: 'temporal-db-secret', MYSQL_PASSWORD: 'mysql-secret', GRAFANA_ADMIN_PASSWORD: 'grafana-secret' };
const scratch = mkdtempSync(path.join(os.tmpdir(), 'parker-compose-'));

/** An env file with these variables, for `docker-compose --env-file`. */
function envFile(name: string, variables: Record<string, string>): string {
  const file = path.join(scratch, name);
  writeFileSync(file, Object.entries(variables).map(([key, value]) => `${key}=${value}\n`).join(''));
  return file;
}

/** The environment without the secrets: a shell with none of them set. */
function withoutSecrets(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !(key in SECRETS)));
}

let run: Promise<ComposeRun> | undefined;

/** `docker-compose --env-file <file> -f docker-compose.yml config` in the project root. */
function runConfig(env: string): Promise<ComposeRun> {
  return promisify(execFile)('docker-compose', ['--env-file', env, '-f', 'docker-compose.yml', 'config'], {
    cwd: root,
    env: withoutSecrets(),
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
}

/** The file resolved with the secrets set, run once per file. */
function composeConfig(): Promise<ComposeRun> {
  run ??= runConfig(envFile('with-secrets.env', SECRETS));
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

function conditionOf(svc: Service, dependency: string): string | undefined {
  const deps = svc.depends_on;
  if (!deps || Array.isArray(deps)) return undefined;
  return deps[dependency]?.condition;
}

/** A mount of a named volume (not a host path) at a container path. */
function namedVolumeAt(svc: Service, target: string): string | undefined {
  for (const volume of svc.volumes ?? []) {
    const [source, at] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (at === target && source && !source.includes('/')) return source;
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  test('docker-compose config accepts it, with the secrets of .env.example set', async () => {
    const { stdout } = await composeConfig();
    assert.ok(stdout.trim().length > 0, 'docker-compose config printed nothing');
    const example = await readFile(path.join(root, '.env.example'), 'utf8');
    for (const name of Object.keys(SECRETS)) assert.match(example, new RegExp(`^${name}=$`, 'm'), `.env.example lists ${name}, empty`);
  });

  test('no password has a default: without the secrets, docker-compose config refuses and names one', async () => {
    await assert.rejects(runConfig(envFile('no-secrets.env', {})), /(TEMPORAL_DB_PASSWORD|MYSQL_PASSWORD|GRAFANA_ADMIN_PASSWORD) in \.env/);
  });

  test('has the Temporal, Parker and observability services', async () => {
    const names = Object.keys((await config()).services);
    const wanted = [
      'temporal-postgresql', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui', 'mysql',
      'parker-worker', 'parker-schedules', 'otel-collector', 'tempo', 'prometheus', 'grafana',
    ];
    for (const name of wanted) assert.ok(names.includes(name), `missing service ${name} (have: ${names.join(', ')})`);
  });

  test('every published port binds to 127.0.0.1, and state lives in named volumes', async () => {
    const { services, volumes } = await config();
    let published = 0;
    for (const [name, svc] of Object.entries(services)) {
      for (const port of svc.ports ?? []) {
        published++;
        assert.equal(hostIp(port), '127.0.0.1', `${name} publishes ${JSON.stringify(port)} beyond 127.0.0.1`);
      }
    }
    assert.ok(published >= 5, 'expected Temporal, the Web UI, MySQL, Prometheus and Grafana to be published on 127.0.0.1');
    const stateful: [string, string][] = [
      ['temporal-postgresql', '/var/lib/postgresql/data'], ['mysql', '/var/lib/mysql'], ['parker-worker', '/downloads'],
      ['prometheus', '/prometheus'], ['grafana', '/var/lib/grafana'], ['tempo', '/var/tempo'],
    ];
    for (const [name, target] of stateful) {
      const volume = namedVolumeAt(services[name]!, target);
      assert.ok(volume && volumes && volume in volumes, `${name} keeps ${target} in a named volume`);
    }
  });

  test('temporal is the server image on a PostgreSQL of its own, its schema set up by a one-shot of admin-tools', async () => {
    const temporal = await service('temporal');
    assert.match(temporal.image ?? '', /^temporalio\/server:1\.\d+\.\d+$/, 'temporal runs a pinned temporalio/server, not auto-setup');
    const env = envOf(temporal);
    assert.equal(env.DB, 'postgres12');
    assert.equal(env.POSTGRES_SEEDS, 'temporal-postgresql');
    assert.equal(env.POSTGRES_PWD, SECRETS.TEMPORAL_DB_PASSWORD);
    assert.equal(conditionOf(temporal, 'temporal-schema'), 'service_completed_successfully');

    const schema = await service('temporal-schema');
    assert.match(schema.image ?? '', /^temporalio\/admin-tools:1\.\d+\.\d+/);
    assert.equal(schema.restart, 'no');
    assert.equal(conditionOf(schema, 'temporal-postgresql'), 'service_healthy');
    const script = await readFile(path.resolve(root, mountOf(schema, '/parker/setup-schema.sh')), 'utf8');
    for (const step of ['create-database', 'setup-schema', 'update-schema', 'temporal_visibility']) assert.ok(script.includes(step), `setup-schema.sh runs ${step}`);
    assert.equal(temporal.image?.split(':')[1], schema.image?.split(':')[1]?.split('-')[0], 'the schema comes from the same release as the server');

    const namespace = await service('temporal-namespace');
    assert.equal(namespace.restart, 'no');
    const create = await readFile(path.resolve(root, mountOf(namespace, '/parker/create-namespace.sh')), 'utf8');
    assert.match(create, /cluster health/);
    assert.match(create, /namespace create/);
  });

  test("Parker's MySQL has a user of its own and no root password anyone knows", async () => {
    const env = envOf(await service('mysql'));
    assert.equal(env.MYSQL_USER, 'parker');
    assert.equal(env.MYSQL_PASSWORD, SECRETS.MYSQL_PASSWORD);
    assert.equal(env.MYSQL_ROOT_PASSWORD, undefined);
    assert.equal(env.MYSQL_RANDOM_ROOT_PASSWORD, 'yes');
    assert.equal(new URL(envOf(await service('parker-worker')).DATABASE_URL ?? '').username, 'parker');
  });

  test('the worker starts after MySQL is healthy and Temporal serves its namespace', async () => {
    const worker = await service('parker-worker');
    assert.ok(worker.build, 'parker-worker is built from the Dockerfile');
    const env = envOf(worker);
    assert.match(env.TEMPORAL_ADDRESS ?? '', /^temporal:\d+$/);
    assert.equal(new URL(env.DATABASE_URL ?? '').hostname, 'mysql');
    assert.equal(conditionOf(worker, 'mysql'), 'service_healthy');
    assert.equal(conditionOf(worker, 'temporal-namespace'), 'service_completed_successfully');
  });

  test('each worker replica has a host id of its own that survives recreation, and shares the downloads volume', async () => {
    const worker = await service('parker-worker');
    const env = envOf(worker);
    assert.equal(env.PARKER_HOST_ID, undefined, 'one fixed id would be the same for every replica of --scale');
    assert.equal(env.PARKER_HOST_ID_FROM, 'container-name');
    assert.equal(env.DOWNLOAD_DIR, '/downloads');
    assert.ok(namedVolumeAt(worker, env.DOWNLOAD_DIR), 'DOWNLOAD_DIR is a named volume');
    // A new named volume takes the ownership of the image's folder: the container user's.
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /chown node:node [^\n]*\/downloads/);
    assert.match(dockerfile, /^USER node$/m);
  });

  test('the worker reads channels.yaml and the cookies where PARKER_CONFIG says, read-only', async () => {
    for (const name of ['parker-worker', 'parker-schedules']) {
      const svc = await service(name);
      const env = envOf(svc);
      const mount = (svc.volumes ?? []).find((volume) => typeof volume !== 'string' && volume.target === env.PARKER_CONFIG);
      assert.ok(mount && typeof mount !== 'string' && mount.read_only === true, `${name}: channels.yaml is mounted read-only at PARKER_CONFIG=${env.PARKER_CONFIG}`);
    }
    const worker = await service('parker-worker');
    const cookies = path.posix.join(path.posix.dirname(envOf(worker).PARKER_CONFIG ?? ''), 'cookies');
    const mount = (worker.volumes ?? []).find((volume) => typeof volume !== 'string' && volume.target === cookies);
    assert.ok(mount && typeof mount !== 'string' && mount.read_only === true, `the cookies folder is mounted read-only at ${cookies}, next to channels.yaml`);
  });

  test('parker-schedules runs once, after the namespace exists', async () => {
    const schedules = await service('parker-schedules');
    const command = Array.isArray(schedules.command) ? schedules.command.join(' ') : (schedules.command ?? '');
    assert.match(command, /^node dist\/schedule\.js$/, 'compiled, run by plain node: the image has no sources');
    assert.equal(schedules.restart, 'no');
    assert.equal(conditionOf(schedules, 'temporal-namespace'), 'service_completed_successfully');
  });

  test('metrics and traces leave the worker over OTLP: the collector sends metrics to Prometheus and traces to Tempo', async () => {
    const worker = envOf(await service('parker-worker'));
    assert.equal(worker.PARKER_METRICS_PORT, undefined, 'with a collector, no /metrics endpoint of its own');
    const endpoint = new URL(worker.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://missing');
    assert.equal(endpoint.hostname, 'otel-collector');
    const collector = parse(await readFile(path.resolve(root, mountOf(await service('otel-collector'), '/etc/otelcol/config.yaml')), 'utf8')) as {
      receivers: { otlp: { protocols: { http?: { endpoint?: string } } } };
      exporters: { prometheus: { endpoint: string }; 'otlp/tempo': { endpoint: string } };
      service: { pipelines: Record<'traces' | 'metrics', { receivers: string[]; exporters: string[] }> };
    };
    assert.match(collector.receivers.otlp.protocols.http?.endpoint ?? '', new RegExp(`:${endpoint.port}$`));
    assert.deepEqual(collector.service.pipelines.metrics, { ...collector.service.pipelines.metrics, receivers: ['otlp'], exporters: ['prometheus'] });
    assert.deepEqual(collector.service.pipelines.traces.exporters, ['otlp/tempo']);

    const exporterPort = collector.exporters.prometheus.endpoint.split(':').at(-1);
    const scrape = parse(await readFile(path.resolve(root, mountOf(await service('prometheus'), '/etc/prometheus/prometheus.yml')), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = scrape.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    assert.ok(targets.includes(`otel-collector:${exporterPort}`), `prometheus scrapes ${targets.join(', ')}`);

    const tempo = parse(await readFile(path.resolve(root, mountOf(await service('tempo'), '/etc/tempo/tempo.yaml')), 'utf8')) as {
      distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } } };
    };
    const tempoTarget = new URL(`grpc://${collector.exporters['otlp/tempo'].endpoint}`);
    assert.equal(tempoTarget.hostname, 'tempo');
    assert.match(tempo.distributor.receivers.otlp.protocols.grpc.endpoint, new RegExp(`:${tempoTarget.port}$`));
  });

  test('grafana has the Prometheus and Tempo data sources and the dashboard in the repository', async () => {
    const grafana = await service('grafana');
    assert.equal(envOf(grafana).GF_SECURITY_ADMIN_PASSWORD, SECRETS.GRAFANA_ADMIN_PASSWORD);
    const provisioning = mountOf(grafana, '/etc/grafana/provisioning');
    const sourceIn = async (file: string) =>
      (parse(await readFile(path.resolve(root, provisioning, 'datasources', file), 'utf8')) as { datasources: { uid: string; url: string; type: string }[] })
        .datasources[0]!;
    const prometheus = await sourceIn('prometheus.yml');
    assert.equal(prometheus.type, 'prometheus');
    assert.equal(new URL(prometheus.url).hostname, 'prometheus');
    const tempo = await sourceIn('tempo.yml');
    assert.equal(tempo.type, 'tempo');
    assert.equal(new URL(tempo.url).hostname, 'tempo');
    const providers = parse(await readFile(path.resolve(root, provisioning, 'dashboards/parker.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const dashboards = mountOf(grafana, providers.providers[0]!.options.path);
    const dashboard = JSON.parse(await readFile(path.resolve(root, dashboards, 'parker.json'), 'utf8')) as {
      panels: { datasource?: { uid?: string } }[];
    };
    for (const panel of dashboard.panels) assert.equal(panel.datasource?.uid, prometheus.uid, 'every panel uses the provisioned Prometheus');
  });

  test('the databases and the dashboards have health checks that the services after them wait for', async () => {
    for (const name of ['temporal-postgresql', 'mysql', 'prometheus', 'grafana']) {
      assert.ok((await service(name)).healthcheck?.test, `${name} has a health check`);
    }
    assert.equal(conditionOf(await service('grafana'), 'prometheus'), 'service_healthy');
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
