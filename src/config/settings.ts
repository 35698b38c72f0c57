import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AddressPolicy } from '../http/address-policy.ts';
import type { LogFormat } from '../log.ts';
import { parseDuration } from '../rules/durations.ts';
import { DEFAULT_RETRY_DELAYS_MS } from '../rules/retry-schedule.ts';
import { DEFAULT_YOUTUBE_BASE_URL } from '../sources/youtube-url.ts';
import { JS_RUNTIME_KINDS, JS_RUNTIME_PATTERN } from '../ytdlp/js-runtime.ts';

// Everything Parker reads from the environment, read once here. Nothing below src/config
// touches process.env.

/**
 * What a worker process does: `crawl` runs the crawls, backfills and maintenance;
 * `download` runs the download workflows and the transfers. Each role polls its own task
 * queues, so crawl and download capacity scale apart.
 */
export const WORKER_ROLES = ['crawl', 'download'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be at least 1`)
    .default(fallback);

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().trim().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('parker'),
  TEMPORAL_CLI: z.string().trim().min(1).optional(),
  TEMPORAL_UI_URL: z.url({ protocol: /^https?$/, error: 'TEMPORAL_UI_URL must be an http(s) URL' }).optional(),
  TEMPORAL_TLS: z.enum(['0', '1', 'true', 'false'], { error: 'TEMPORAL_TLS must be 1 or 0' }).optional(),
  TEMPORAL_TLS_CA: z.string().trim().min(1).optional(),
  TEMPORAL_TLS_CERT: z.string().trim().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().trim().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().trim().min(1).optional(),
  TEMPORAL_API_KEY: z.string().trim().min(1).optional(),
  TEMPORAL_API_KEY_FILE: z.string().trim().min(1).optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^mysql:\/\//i, 'DATABASE_URL must start with mysql:// (leave it unset for the embedded SQLite file)')
    .optional(),
  DOWNLOAD_DIR: z.string().trim().min(1).default('./downloads'),
  PARKER_CONFIG: z.string().trim().min(1).default('./channels.yaml'),
  PARKER_DATA_DIR: z.string().trim().min(1).default('./data'),
  PARKER_MAX_DOWNLOADS: positiveInt('PARKER_MAX_DOWNLOADS', 4),
  PARKER_SITE_COOLDOWN: z
    .string()
    .trim()
    .default('1h')
    .transform((text, context) => {
      try {
        return parseDuration(text, 'PARKER_SITE_COOLDOWN', { min: 1_000, max: 7 * 86_400_000, examples: '30m or 1h' });
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  PARKER_DISK_FULL_PAUSE: z
    .string()
    .trim()
    .default('15m')
    .transform((text, context) => {
      try {
        return parseDuration(text, 'PARKER_DISK_FULL_PAUSE', { min: 1_000, max: 86_400_000, examples: '5m or 15m' });
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  PARKER_RETRY_DELAYS: z
    .string()
    .trim()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return DEFAULT_RETRY_DELAYS_MS;
      try {
        return text.split(',').map((part) =>
          parseDuration(part.trim(), 'PARKER_RETRY_DELAYS', { min: 1_000, max: 30 * 86_400_000, examples: '1h,6h,24h' }),
        );
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  PARKER_ALLOW_PRIVATE: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((entry) => entry.trim()).filter(Boolean))
    .superRefine((entries, context) => {
      try {
        new AddressPolicy(entries);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  PARKER_HOST_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'PARKER_HOST_ID may use letters, digits, ".", "_" and "-" only')
    .optional(),
  PARKER_HOST_ID_FROM: z.enum(['container-name'], { error: 'PARKER_HOST_ID_FROM may only be container-name' }).optional(),
  PARKER_WORKER_ROLES: z
    .string()
    .default('crawl,download')
    .transform((text) => text.split(',').map((entry) => entry.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.enum(WORKER_ROLES, { error: `PARKER_WORKER_ROLES lists ${WORKER_ROLES.join(' and/or ')}, comma-separated` }))
        .min(1, `PARKER_WORKER_ROLES lists ${WORKER_ROLES.join(' and/or ')}, comma-separated`),
    ),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  PARKER_LOG_FORMAT: z.enum(['pretty', 'json'], { error: 'PARKER_LOG_FORMAT must be pretty or json' }).optional(),
  YTDLP_PATH: z.string().trim().min(1).optional(),
  PARKER_JS_RUNTIME: z
    .string()
    .trim()
    .regex(JS_RUNTIME_PATTERN, `PARKER_JS_RUNTIME must be one of ${JS_RUNTIME_KINDS.join(', ')}, optionally with :<path>, e.g. node:/usr/local/bin/node`)
    .optional(),
  PARKER_POT_PROVIDER_URL: z.url({ protocol: /^https?$/, error: 'PARKER_POT_PROVIDER_URL must be an http(s) URL, e.g. http://127.0.0.1:4416' }).optional(),
  APPRISE_PATH: z.string().trim().min(1).optional(),
  PARKER_ALLOW_OUTDATED_YTDLP: z.enum(['0', '1', 'true', 'false'], { error: 'PARKER_ALLOW_OUTDATED_YTDLP must be 1 or 0' }).optional(),
  YOUTUBE_BASE_URL: z.url({ protocol: /^https?$/, error: 'YOUTUBE_BASE_URL must be an http(s) URL' }).default(DEFAULT_YOUTUBE_BASE_URL),
  PARKER_METRICS_PORT: z.coerce
    .number({ error: 'PARKER_METRICS_PORT must be a port number' })
    .int('PARKER_METRICS_PORT must be a port number')
    .min(1, 'PARKER_METRICS_PORT must be between 1 and 65535')
    .max(65535, 'PARKER_METRICS_PORT must be between 1 and 65535')
    .optional(),
  PARKER_METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  PARKER_HTTP_PORT: z.coerce
    .number({ error: 'PARKER_HTTP_PORT must be a port number' })
    .int('PARKER_HTTP_PORT must be a port number')
    .min(1, 'PARKER_HTTP_PORT must be between 1 and 65535')
    .max(65535, 'PARKER_HTTP_PORT must be between 1 and 65535')
    .optional(),
  PARKER_HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  PARKER_VERIFY_BYTES_PER_SECOND: z.coerce
    .number({ error: 'PARKER_VERIFY_BYTES_PER_SECOND must be a whole number of bytes' })
    .int('PARKER_VERIFY_BYTES_PER_SECOND must be a whole number of bytes')
    .min(1024 * 1024, 'PARKER_VERIFY_BYTES_PER_SECOND must be at least 1048576 (1 MiB/s)')
    .optional(),
  // In every feed and media URL: long enough that guessing it is hopeless.
  PARKER_FEED_TOKEN: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._~-]{16,200}$/, 'PARKER_FEED_TOKEN must be 16 to 200 letters, digits, ".", "_", "~" or "-" (it goes into URLs)')
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^/]/i, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (OTLP over HTTP, e.g. http://otel-collector:4318)')
    .optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('parker'),
});

/** The Web UI of the dev server Parker starts when no TEMPORAL_ADDRESS is set (src/temporal/connect.ts). */
const EMBEDDED_UI_URL = 'http://127.0.0.1:8233';

/** Where scripts/ensure-ytdlp.sh installs the pinned yt-dlp. */
export const PROJECT_YTDLP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.tools/ytdlp/bin/yt-dlp');

export interface Settings {
  temporal: {
    /** host:port of a Temporal frontend; unset means "start a local dev server". */
    address?: string;
    namespace: string;
    taskQueue: string;
    /** A temporal CLI binary to use instead of the project's own build. */
    cliPath?: string;
    /**
     * The Temporal Web UI, for the links the parker CLI prints (TEMPORAL_UI_URL); the
     * embedded dev server's own UI when no TEMPORAL_ADDRESS is set.
     */
    uiUrl?: string;
    /** TLS to the frontend; mTLS when a client certificate is given. Unset: plain (a local server). */
    tls?: TemporalTlsSettings;
    /** API key (Temporal Cloud); from TEMPORAL_API_KEY or the file TEMPORAL_API_KEY_FILE. Never logged. */
    apiKey?: string;
  };
  /** mysql://user:password@host:port/database; unset means the embedded SQLite file. */
  databaseUrl?: string;
  /** Absolute; each channel gets a folder below it. */
  downloadDir: string;
  /** Absolute path of channels.yaml. */
  configPath: string;
  /** Absolute; holds the SQLite file and the dev server's database. */
  dataDir: string;
  /** How many downloads one worker runs at once. */
  maxDownloads: number;
  /**
   * How long downloads from a site pause after it throttled one (HTTP 429, bot check),
   * for every worker (PARKER_SITE_COOLDOWN, default 1h).
   */
  siteCooldownMs: number;
  /**
   * How long a host's transfers pause after one found its download folder full, before
   * the next tries (PARKER_DISK_FULL_PAUSE, default 15m).
   */
  diskFullPauseMs: number;
  /**
   * The waits before later crawls try a video whose download failed for a transient
   * reason again, one per failure; after the last it is given up (PARKER_RETRY_DELAYS,
   * default 1h,6h, then 24h seven times).
   */
  retryDelaysMs: readonly number[];
  /** Loopback, private or link-local addresses and ranges Parker may fetch from (none by default). */
  allowPrivate: string[];
  /**
   * Names this worker's download folder among all workers: transfers are pinned to it so
   * they resume where their part file is. Unique per machine and folder by default.
   */
  hostId: string;
  /**
   * Take the host id from the container's name at start (PARKER_HOST_ID_FROM=container-name),
   * for replicas of one compose service (src/config/container-name.ts).
   */
  hostIdFromContainerName: boolean;
  /** What this worker runs (PARKER_WORKER_ROLES, default both). */
  roles: { crawl: boolean; download: boolean };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** PARKER_LOG_FORMAT: `json` or `pretty`; unset, pretty in a terminal and JSON otherwise. */
  logFormat?: LogFormat;
  ytdlp: {
    /** The yt-dlp executable: YTDLP_PATH, else the project's own in .tools/ytdlp. */
    path: string;
    /** Run a yt-dlp older than 2024.07.01 anyway (PARKER_ALLOW_OUTDATED_YTDLP=1). */
    allowOutdated: boolean;
    /** yt-dlp's JS runtime for YouTube, `<kind>[:<path>]` (PARKER_JS_RUNTIME); unset: the Deno from node_modules. */
    jsRuntime?: string;
    /** A bgutil PO-token provider server for YouTube (PARKER_POT_PROVIDER_URL); unset: none. */
    potProviderUrl?: string;
  };
  /** The apprise executable for notifications: APPRISE_PATH, else the one next to yt-dlp (the same virtualenv). */
  apprisePath: string;
  /** Where YouTube is; a local server in tests. */
  youtubeBaseUrl: string;
  telemetry: TelemetrySettings;
  /** How fast the verify step may read files to hash them; unset: its default (32 MiB/s). */
  verifyBytesPerSecond?: number;
  /** Where Parker serves its podcast feeds and media (src/library/); unset: no server. */
  libraryServer?: LibraryServerSettings;
}

export interface LibraryServerSettings {
  host: string;
  port: number;
  /** The token every feed and media URL must carry (PARKER_FEED_TOKEN); unset: none asked. */
  feedToken?: string;
}

export interface TemporalTlsSettings {
  /** PEM file of the CA that signed the server's certificate; unset: the system's CAs. */
  caPath?: string;
  /** PEM files of this client's certificate and key, for mTLS. */
  certPath?: string;
  keyPath?: string;
  /** The name the server's certificate carries, when it differs from the address's host. */
  serverName?: string;
}

export interface TelemetrySettings {
  /** Where Parker serves /metrics for Prometheus (Temporal's and Parker's own); unset: no endpoint. */
  metrics?: { host: string; port: number };
  /** Base URL of an OTLP/HTTP receiver (a collector): traces, and metrics when no Prometheus port is set. */
  otlpEndpoint?: string;
  /** service.name of the exported traces and metrics. */
  serviceName: string;
}

/** Thrown when an environment variable has a value Parker cannot use. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

function temporalTls(e: z.infer<typeof envSchema>): TemporalTlsSettings | undefined {
  if (Boolean(e.TEMPORAL_TLS_CERT) !== Boolean(e.TEMPORAL_TLS_KEY)) {
    throw new SettingsError('invalid environment: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS needs both)');
  }
  const wanted = e.TEMPORAL_TLS === '1' || e.TEMPORAL_TLS === 'true' || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_CERT;
  if (!wanted) return undefined;
  return {
    caPath: e.TEMPORAL_TLS_CA && path.resolve(e.TEMPORAL_TLS_CA),
    certPath: e.TEMPORAL_TLS_CERT && path.resolve(e.TEMPORAL_TLS_CERT),
    keyPath: e.TEMPORAL_TLS_KEY && path.resolve(e.TEMPORAL_TLS_KEY),
    serverName: e.TEMPORAL_TLS_SERVER_NAME,
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

function libraryServer(e: z.infer<typeof envSchema>, port: number): LibraryServerSettings {
  // Other machines would get every file of the library from anyone who finds the port.
  if (!LOOPBACK_HOSTS.has(e.PARKER_HTTP_HOST) && !e.PARKER_FEED_TOKEN) {
    throw new SettingsError(`invalid environment: PARKER_HTTP_HOST=${e.PARKER_HTTP_HOST} is reachable from other machines: set PARKER_FEED_TOKEN too`);
  }
  return { host: e.PARKER_HTTP_HOST, port, ...(e.PARKER_FEED_TOKEN ? { feedToken: e.PARKER_FEED_TOKEN } : {}) };
}

/** The Web UI's address when it is known: TEMPORAL_UI_URL, or the embedded dev server's. */
function uiUrl(e: z.infer<typeof envSchema>): { uiUrl?: string } {
  const url = e.TEMPORAL_UI_URL ?? (e.TEMPORAL_ADDRESS ? undefined : EMBEDDED_UI_URL);
  return url ? { uiUrl: url.replace(/\/+$/, '') } : {};
}

/** A secret kept in a file (a Docker or Kubernetes secret): its content, trimmed. */
function readSecret(variable: string, file: string): string {
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (!secret) throw new Error('the file is empty');
    return secret;
  } catch (error) {
    throw new SettingsError(`invalid environment: ${variable}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** `<hostname>-<hash of the download folder>`: stable across restarts, distinct per folder. */
export function defaultHostId(downloadDir: string, hostname = os.hostname()): string {
  const folder = createHash('sha256').update(downloadDir).digest('hex').slice(0, 8);
  return `${hostname.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}-${folder}`;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // An empty variable means "not set", as shells and compose files tend to produce them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new SettingsError(`invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI,
      ...uiUrl(e),
      tls: temporalTls(e),
      apiKey: e.TEMPORAL_API_KEY ?? (e.TEMPORAL_API_KEY_FILE ? readSecret('TEMPORAL_API_KEY_FILE', e.TEMPORAL_API_KEY_FILE) : undefined),
    },
    databaseUrl: e.DATABASE_URL,
    downloadDir: path.resolve(e.DOWNLOAD_DIR),
    configPath: path.resolve(e.PARKER_CONFIG),
    dataDir: path.resolve(e.PARKER_DATA_DIR),
    maxDownloads: e.PARKER_MAX_DOWNLOADS,
    siteCooldownMs: e.PARKER_SITE_COOLDOWN,
    diskFullPauseMs: e.PARKER_DISK_FULL_PAUSE,
    retryDelaysMs: e.PARKER_RETRY_DELAYS,
    allowPrivate: e.PARKER_ALLOW_PRIVATE,
    hostId: e.PARKER_HOST_ID ?? defaultHostId(path.resolve(e.DOWNLOAD_DIR)),
    hostIdFromContainerName: e.PARKER_HOST_ID_FROM === 'container-name' && !e.PARKER_HOST_ID,
    roles: { crawl: e.PARKER_WORKER_ROLES.includes('crawl'), download: e.PARKER_WORKER_ROLES.includes('download') },
    logLevel: e.LOG_LEVEL,
    logFormat: e.PARKER_LOG_FORMAT,
    ytdlp: {
      path: e.YTDLP_PATH ? path.resolve(e.YTDLP_PATH) : PROJECT_YTDLP,
      allowOutdated: e.PARKER_ALLOW_OUTDATED_YTDLP === '1' || e.PARKER_ALLOW_OUTDATED_YTDLP === 'true',
      ...(e.PARKER_JS_RUNTIME ? { jsRuntime: e.PARKER_JS_RUNTIME } : {}),
      ...(e.PARKER_POT_PROVIDER_URL ? { potProviderUrl: e.PARKER_POT_PROVIDER_URL.replace(/\/+$/, '') } : {}),
    },
    apprisePath: path.resolve(e.APPRISE_PATH ?? path.join(path.dirname(e.YTDLP_PATH ? path.resolve(e.YTDLP_PATH) : PROJECT_YTDLP), 'apprise')),
    youtubeBaseUrl: e.YOUTUBE_BASE_URL.replace(/\/+$/, ''),
    telemetry: {
      metrics: e.PARKER_METRICS_PORT === undefined ? undefined : { host: e.PARKER_METRICS_HOST, port: e.PARKER_METRICS_PORT },
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
      serviceName: e.OTEL_SERVICE_NAME,
    },
    // No key when unset: tests and tools compare whole Settings objects.
    ...(e.PARKER_VERIFY_BYTES_PER_SECOND === undefined ? {} : { verifyBytesPerSecond: e.PARKER_VERIFY_BYTES_PER_SECOND }),
    ...(e.PARKER_HTTP_PORT === undefined ? {} : { libraryServer: libraryServer(e, e.PARKER_HTTP_PORT) }),
  };
}
