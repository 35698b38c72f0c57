import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Parker's custom search attributes: what the Web UI and `temporal workflow list --query`
// filter downloads and crawls by. Registered on the server at start-up
// (src/temporal/search-attributes.ts); set when a workflow starts, and the status upserted
// as a download moves. Sandbox-safe.

/** The channel's name from channels.yaml, on crawls, backfills and downloads. */
export const PARKER_CHANNEL = defineSearchAttributeKey('ParkerChannel', SearchAttributeType.KEYWORD);
/** The video's id on its site (the feed's guid, the YouTube id), on downloads. */
export const PARKER_VIDEO_ID = defineSearchAttributeKey('ParkerVideoId', SearchAttributeType.KEYWORD);
/** Where a download is: one of DOWNLOAD_STATES. */
export const PARKER_STATUS = defineSearchAttributeKey('ParkerStatus', SearchAttributeType.KEYWORD);

export const PARKER_SEARCH_ATTRIBUTES = [PARKER_CHANNEL, PARKER_VIDEO_ID, PARKER_STATUS] as const;

/** The values of ParkerStatus, in the words a query types: `ParkerStatus='failed'`. */
export const DOWNLOAD_STATES = ['downloading', 'waiting-cooldown', 'waiting-premiere', 'downloaded', 'failed'] as const;
export type DownloadState = (typeof DOWNLOAD_STATES)[number];
