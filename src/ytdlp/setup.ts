import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import type { AddressPolicy } from '../http/address-policy.ts';
import type { Logger } from '../log.ts';
import { bundledDenoRuntime } from './js-runtime.ts';
import { invocationArgs, type YtDlpInvocation } from './invocation.ts';
import { checkYtDlp, isOlder, parseYtDlpVersion, YOUTUBE_YTDLP_VERSION } from './version.ts';

// What the worker's yt-dlp can do, learnt at start from its verbose header and logged,
// so that an operator sees a YouTube-degraded yt-dlp before its downloads miss formats.
// `yt-dlp -v` without a URL prints the header (versions, optional libraries, the JS
// runtimes it found) and stops with a usage error: nothing goes to the network.

/** What `yt-dlp -v` says about itself. */
export interface YtDlpReport {
  version: string;
  /** The runtimes it will use, e.g. `deno-2.9.6`; an unusable one reads `node-20.20.2 (unsupported)`. */
  jsRuntimes: string[];
  /** yt-dlp-ejs's version, when the package is installed. */
  ejsVersion?: string;
  /** Everything on its "Optional libraries" line, e.g. `brotli-1.2.1`. */
  optionalLibraries: string[];
  /** Where it loads plugins from (the PO-token provider's `yt_dlp_plugins`); empty: none. */
  pluginDirectories: string[];
}

function debugLine(header: string, label: string): string | undefined {
  return new RegExp(`^\\[debug\\] ${label}: (.*)$`, 'm').exec(header)?.[1]?.trim();
}

/** The parts of yt-dlp's `[debug]` header Parker reports. Pure. */
export function parseDebugHeader(header: string, version: string): YtDlpReport {
  const listed = (label: string) => {
    const line = debugLine(header, label);
    return !line || line === 'none' ? [] : line.split(/,\s*/);
  };
  const optionalLibraries = listed('Optional libraries');
  const ejs = optionalLibraries.find((library) => library.startsWith('yt_dlp_ejs-'));
  return {
    version,
    jsRuntimes: listed('JS runtimes'),
    ...(ejs ? { ejsVersion: ejs.slice('yt_dlp_ejs-'.length) } : {}),
    optionalLibraries,
    pluginDirectories: listed('Plugin directories'),
  };
}

/** Why this yt-dlp will download YouTube badly, one sentence each; empty when it is fine. */
export function youtubeWarnings(report: YtDlpReport, jsRuntime: string | undefined): string[] {
  const parsed = parseYtDlpVersion(report.version);
  if (parsed && isOlder(parsed, parseYtDlpVersion(YOUTUBE_YTDLP_VERSION)!)) {
    return [
      `yt-dlp ${report.version} is older than ${YOUTUBE_YTDLP_VERSION} and cannot solve YouTube's JavaScript challenges: ` +
        'YouTube downloads will miss formats or fail. Run scripts/ensure-ytdlp.sh for the pinned version.',
    ];
  }
  const warnings: string[] = [];
  const usable = report.jsRuntimes.filter((runtime) => !/\(unsupported\)/i.test(runtime));
  if (usable.length === 0) {
    const seen = report.jsRuntimes.length > 0 ? `it reports ${report.jsRuntimes.join(', ')}` : 'it found none';
    warnings.push(
      `yt-dlp has no usable JavaScript runtime (${jsRuntime ? `asked for ${jsRuntime}; ` : ''}${seen}): YouTube downloads will miss formats. ` +
        'Unset PARKER_JS_RUNTIME to use the Deno from node_modules, or name a runtime yt-dlp supports.',
    );
  }
  if (!report.ejsVersion) {
    warnings.push('yt-dlp-ejs is not installed next to yt-dlp: YouTube challenges cannot be solved offline. Install yt-dlp[default] (scripts/ensure-ytdlp.sh).');
  }
  return warnings;
}

/** Why the optional parts asked for will not work; empty when they will (or none was asked for). */
export function optionalWarnings(report: YtDlpReport, invocation: YtDlpInvocation, policy: AddressPolicy): string[] {
  if (!invocation.potProviderUrl) return [];
  const warnings: string[] = [];
  if (report.pluginDirectories.length === 0) {
    warnings.push(
      `PARKER_POT_PROVIDER_URL is set but yt-dlp loads no plugins: install the provider plugin with PARKER_YTDLP_OPTIONAL=pot-provider scripts/ensure-ytdlp.sh`,
    );
  }
  // yt-dlp reaches the provider through Parker's proxy, which holds it to the address policy.
  const host = new URL(invocation.potProviderUrl).hostname.replace(/^\[|\]$/g, '');
  const refused = isIP(host) ? policy.refusal(host) : undefined;
  if (refused) warnings.push(`PARKER_POT_PROVIDER_URL ${invocation.potProviderUrl} cannot be reached by yt-dlp: ${refused}`);
  return warnings;
}

/** Runs `yt-dlp -v` without a URL and reads its header. */
export function inspectYtDlp(invocation: YtDlpInvocation, version: string): Promise<YtDlpReport> {
  return new Promise((resolve, reject) => {
    // It exits 2 ("You must provide at least one URL") after the header: expected.
    execFile(invocation.binary, [...invocationArgs(invocation), '--verbose'], { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!stderr.includes('[debug]')) {
        reject(new Error(`${invocation.binary} -v printed no debug header: ${(error?.message ?? stderr).split('\n')[0]}`));
        return;
      }
      resolve(parseDebugHeader(stderr, version));
    });
  });
}

export interface YtDlpSetupOptions {
  /** The yt-dlp executable. */
  path: string;
  /** Run a yt-dlp older than the CVE floor anyway. */
  allowOutdated: boolean;
  /** PARKER_JS_RUNTIME; absent: the Deno from node_modules. */
  jsRuntime?: string;
  /** PARKER_POT_PROVIDER_URL; absent: no PO-token provider. */
  potProviderUrl?: string;
}

/**
 * Checks yt-dlp at worker start (refusing a vulnerable one), decides which JS runtime it
 * gets, logs what it reports and warns when YouTube will be degraded.
 */
export async function setUpYtDlp(options: YtDlpSetupOptions, log: Logger, policy: AddressPolicy): Promise<YtDlpInvocation> {
  const version = await checkYtDlp(options.path, { allowOutdated: options.allowOutdated });
  const parsed = parseYtDlpVersion(version)!;
  // An older yt-dlp would reject --js-runtimes as an unknown option and fail every run.
  const takesRuntime = !isOlder(parsed, parseYtDlpVersion(YOUTUBE_YTDLP_VERSION)!);
  const invocation: YtDlpInvocation = {
    binary: options.path,
    ...(takesRuntime ? { jsRuntime: options.jsRuntime ?? bundledDenoRuntime() } : {}),
    ...(options.potProviderUrl ? { potProviderUrl: options.potProviderUrl } : {}),
  };
  const report = await inspectYtDlp(invocation, version);
  log.info(
    { ytdlp: options.path, version, jsRuntimes: report.jsRuntimes, ejs: report.ejsVersion ?? null, optionalLibraries: report.optionalLibraries },
    `yt-dlp ${version}, JS runtime ${report.jsRuntimes.join(', ') || 'none'}, yt-dlp-ejs ${report.ejsVersion ?? 'missing'}`,
  );
  for (const warning of [...youtubeWarnings(report, invocation.jsRuntime), ...optionalWarnings(report, invocation, policy)]) {
    log.warn({ ytdlp: options.path }, warning);
  }
  return invocation;
}
