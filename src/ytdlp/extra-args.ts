// Which yt-dlp options a channel may add with `extra_args:`. An allow-list, because yt-dlp
// has options that run commands (--exec, --netrc-cmd), read or write files anywhere
// (--output, --paths, --config-locations, --batch-file, --cookies-from-browser,
// --download-archive), run other programs (--ffmpeg-location, --downloader,
// --js-runtimes), bypass the address policy (--proxy) or fetch code (--remote-components).
// Anything not listed here is refused when the config is read, with the option named.
// Pure: no I/O.

/** Allowed options: whether each takes a value. Short forms map to their long names. */
const ALLOWED: Record<string, { value: boolean }> = {
  // Speed and politeness.
  '--limit-rate': { value: true },
  '--throttled-rate': { value: true },
  '--concurrent-fragments': { value: true },
  '--http-chunk-size': { value: true },
  '--sleep-requests': { value: true },
  '--sleep-interval': { value: true },
  '--min-sleep-interval': { value: true },
  '--max-sleep-interval': { value: true },
  '--sleep-subtitles': { value: true },
  '--retry-sleep': { value: true },
  '--extractor-retries': { value: true },
  // Which format, and how it is put together.
  '--format-sort': { value: true },
  '--format-sort-force': { value: false },
  '--no-format-sort-force': { value: false },
  '--prefer-free-formats': { value: false },
  '--no-prefer-free-formats': { value: false },
  '--check-formats': { value: false },
  '--check-all-formats': { value: false },
  '--no-check-formats': { value: false },
  '--merge-output-format': { value: true },
  '--remux-video': { value: true },
  '--recode-video': { value: true },
  '--audio-quality': { value: true },
  '--convert-subs': { value: true },
  '--convert-thumbnails': { value: true },
  '--embed-info-json': { value: false },
  '--no-embed-info-json': { value: false },
  '--sponsorblock-chapter-title': { value: true },
  '--fixup': { value: true },
  '--hls-use-mpegts': { value: false },
  '--no-hls-use-mpegts': { value: false },
  '--allow-dynamic-mpd': { value: false },
  '--ignore-dynamic-mpd': { value: false },
  '--live-from-start': { value: false },
  '--no-live-from-start': { value: false },
  '--wait-for-video': { value: true },
  // How requests look.
  '--extractor-args': { value: true },
  '--add-headers': { value: true },
  '--referer': { value: true },
  '--impersonate': { value: true },
  '--xff': { value: true },
  '--force-ipv4': { value: false },
  '--force-ipv6': { value: false },
  '--legacy-server-connect': { value: false },
};

const SHORT: Record<string, string> = { '-N': '--concurrent-fragments', '-S': '--format-sort', '-r': '--limit-rate', '-4': '--force-ipv4', '-6': '--force-ipv6' };

/** Why some well-known options are refused, so the config error says more than "not allowed". */
const REFUSED_BECAUSE: Record<string, string> = {
  '--exec': 'it runs commands',
  '--netrc-cmd': 'it runs commands',
  '--output': 'Parker decides where files go (use output: in channels.yaml)',
  '-o': 'Parker decides where files go (use output: in channels.yaml)',
  '--paths': 'Parker decides where files go',
  '-P': 'Parker decides where files go',
  '--config-locations': 'it reads files outside DOWNLOAD_DIR',
  '--batch-file': 'it reads files outside DOWNLOAD_DIR',
  '--load-info-json': 'it reads files outside DOWNLOAD_DIR',
  '--cookies': 'use cookies: in channels.yaml',
  '--cookies-from-browser': 'it reads browser profiles (export a cookies file and use cookies: instead)',
  '--download-archive': 'it writes files outside DOWNLOAD_DIR; Parker keeps its own record',
  '--cache-dir': 'it writes files outside DOWNLOAD_DIR',
  '--proxy': 'it would bypass the address policy',
  '--geo-verification-proxy': 'it would bypass the address policy',
  '--js-runtimes': 'it runs another program (set PARKER_JS_RUNTIME)',
  '--remote-components': 'it fetches code at run time',
  '--ffmpeg-location': 'it runs another program',
  '--downloader': 'it runs another program',
  '--external-downloader': 'it runs another program',
  '--plugin-dirs': 'it loads code from anywhere',
  '--alias': 'it defines new options',
  '--parse-metadata': 'it can rewrite the file extension',
  '--replace-in-metadata': 'it can rewrite the file extension',
  '--postprocessor-args': 'it passes arguments to ffmpeg, which can write anywhere',
  '--ppa': 'it passes arguments to ffmpeg, which can write anywhere',
};

/** Extractor arguments that name a file or program to run (a PO-token provider's script_path). */
const PATH_LIKE_EXTRACTOR_ARG = /(?:^|[:;])[\w-]*(?:path|dir|file|cmd|command|exec)\s*=/i;

/** Why these extra arguments are refused, naming the first offending one; undefined when they are fine. */
export function extraArgsProblem(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) return `"${arg}" is not an option (a URL or a stray value would be downloaded too)`;
    const [written, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const name = SHORT[written] ?? written;
    const allowed = Object.hasOwn(ALLOWED, name) ? ALLOWED[name] : undefined;
    if (!allowed) {
      const because = REFUSED_BECAUSE[written] ?? REFUSED_BECAUSE[name];
      return `"${written}" is not allowed${because ? `: ${because}` : ' (not on the allow-list of extra_args, see the README)'}`;
    }
    if (!allowed.value) {
      if (inline !== undefined) return `"${written}" takes no value`;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) return `"${written}" needs a value`;
    if (name === '--extractor-args' && PATH_LIKE_EXTRACTOR_ARG.test(value)) {
      return `"${written} ${value}": extractor arguments that name a file or program are not allowed`;
    }
  }
  return undefined;
}
