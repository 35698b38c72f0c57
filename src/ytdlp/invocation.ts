// How every yt-dlp run starts, for the listing sources and the downloader alike.

export interface YtDlpInvocation {
  /** The yt-dlp executable (checked at worker start, src/ytdlp/version.ts). */
  binary: string;
  /**
   * `--js-runtimes` for YouTube's challenges, e.g. `deno:/app/node_modules/deno/bin.cjs`;
   * absent for a yt-dlp too old to take one (src/ytdlp/setup.ts decides).
   */
  jsRuntime?: string;
  /**
   * Parker's forward proxy (src/http/forward-proxy.ts), through which every connection
   * yt-dlp makes is held to the address policy; absent only in tests of yt-dlp alone.
   */
  proxy?: string;
  /** A bgutil PO-token provider server; its plugin must be installed (PARKER_YTDLP_OPTIONAL=pot-provider). */
  potProviderUrl?: string;
}

/** The options every run begins with; the caller adds its own and puts the URL after `--`. */
export function invocationArgs(invocation: YtDlpInvocation): string[] {
  return [
    '--ignore-config', // an operator's ~/.config/yt-dlp must not change where files go
    '--no-cache-dir',
    ...(invocation.proxy ? ['--proxy', invocation.proxy] : []),
    ...(invocation.jsRuntime
      ? [
          // Exactly the configured runtime, not whatever `deno` is first on PATH.
          '--no-js-runtimes',
          '--js-runtimes',
          invocation.jsRuntime,
          // The challenge scripts come from the pinned yt-dlp-ejs package, never from the network.
          '--no-remote-components',
        ]
      : []),
    ...(invocation.potProviderUrl ? ['--extractor-args', `youtubepot-bgutilhttp:base_url=${invocation.potProviderUrl}`] : []),
  ];
}
