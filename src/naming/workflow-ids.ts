import { createHash } from 'node:crypto';

// Workflow ids come from business keys so that a second start of the same download is
// refused by Temporal itself. Ids from feeds can be URLs or worse; an id that is not
// plain is cleaned and keeps a hash of the original, so two ids never collide.

// Short, no leading dash or dot, no `..`: usable as it is in a workflow id and a file name.
const PLAIN_ID = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** A form of an external id that is safe in workflow ids and file names. */
export function safeIdPart(externalId: string): string {
  if (PLAIN_ID.test(externalId)) return externalId;
  const cleaned = externalId.replace(/[^A-Za-z0-9._-]+|\.{2,}/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(externalId).digest('hex').slice(0, 12);
  return `${cleaned}-${hash}`;
}

/** `parker-video-<channel>-<external id>`, made safe. */
export function videoWorkflowId(channel: string, externalId: string): string {
  return `parker-video-${channel}-${safeIdPart(externalId)}`;
}

/**
 * The download that fetches a video again after its file went missing: one per loss,
 * keyed by when the lost file had arrived, so a second verify of the same loss is refused
 * by Temporal while the next loss (of the file downloaded again) gets its own.
 */
export function redownloadWorkflowId(channel: string, externalId: string, downloadedAt: Date): string {
  return `${videoWorkflowId(channel, externalId)}-again-${downloadedAt.getTime()}`;
}
