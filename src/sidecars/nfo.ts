import { XMLBuilder } from 'fast-xml-parser';
import { xmlText } from '../library/xml-text.ts';

// The NFO file Kodi, Jellyfin and Plex read next to a video: an `<episodedetails>`
// document (each video is an episode of its channel, the channel its studio). Built with
// a real XML builder, so a title full of `<`, `&` and quotes comes out escaped. Pure.

export interface NfoFields {
  title: string;
  /** The video's description, when the source gave one. */
  description?: string;
  /** Publication date; the NFO's `aired` and `premiered` are its UTC day. */
  date?: Date;
  channel: string;
  /** The video's id at its source: the NFO's default unique id. */
  externalId: string;
  /** Who uploaded it, when the source said. */
  uploader?: string;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
  suppressBooleanAttributes: false, // else default="true" comes out as a bare `default`, which is not XML
  processEntities: true, // & < > " ' become entities, in text and attributes
});

/** The NFO document for one video, UTF-8, with its XML declaration. */
export function buildNfo(fields: NfoFields): string {
  const day = fields.date ? fields.date.toISOString().slice(0, 10) : undefined;
  const details: Record<string, unknown> = {
    title: xmlText(fields.title),
    showtitle: xmlText(fields.channel),
    ...(fields.description ? { plot: xmlText(fields.description) } : {}),
    ...(day ? { aired: day, premiered: day } : {}),
    studio: xmlText(fields.channel),
    ...(fields.uploader ? { director: xmlText(fields.uploader) } : {}),
    uniqueid: { '@_type': 'parker', '@_default': 'true', '#text': xmlText(fields.externalId) },
  };
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${builder.build({ episodedetails: details }) as string}`;
}
