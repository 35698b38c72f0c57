// The workflows the worker registers. Deterministic code only: see STYLE.md.
export { backfillChannel } from './backfill.ts';
export { crawlChannel } from './crawl.ts';
export { downloadVideo } from './download.ts';
export { maintainChannels } from './maintenance.ts';
export { refreshMediaServers } from './media-refresh.ts';
export { notifyVideo } from './notify.ts';
