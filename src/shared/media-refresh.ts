// Shapes of the media servers' library refresh (src/workflows/media-refresh.ts).
// Sandbox-safe: names only; keys and tokens never enter a workflow's history.

export const MEDIA_SERVER_KINDS = ['jellyfin', 'emby', 'plex'] as const;
export type MediaServerKind = (typeof MEDIA_SERVER_KINDS)[number];

/** Downloads that finish within this long of the first share one refresh per library. */
export const MEDIA_REFRESH_BATCH_MS = 60_000;

/** What a refresh batch did, per server: shown as the workflow's result. */
export interface MediaRefreshReport {
  servers: Array<{ name: string; refreshed: boolean; error?: string }>;
}
