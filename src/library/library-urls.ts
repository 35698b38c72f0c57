// The addresses the library server answers at, built in one place so the feed, the OPML
// file and the routes cannot disagree. Every one carries the feed token when there is one.
//   /opml.xml                      every channel's feed
//   /feeds/<channel>.xml           one channel's podcast feed
//   /media/<video id>/<file name>  a video's file (the name is for the podcast app)
//   /images/<video id>/<file name> a video's thumbnail

export interface LibraryUrls {
  opml(): string;
  feed(channel: string): string;
  media(videoId: number, fileName: string): string;
  image(videoId: number, fileName: string): string;
}

/** Addresses under `base` (`http://host:port`, or a channel's public_url), with `?token=` when one is set. */
export function libraryUrls(base: string, token?: string): LibraryUrls {
  const root = base.replace(/\/+$/, '');
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  const at = (path: string) => `${root}${path}${query}`;
  return {
    opml: () => at('/opml.xml'),
    feed: (channel) => at(`/feeds/${encodeURIComponent(channel)}.xml`),
    media: (videoId, fileName) => at(`/media/${videoId}/${encodeURIComponent(fileName)}`),
    image: (videoId, fileName) => at(`/images/${videoId}/${encodeURIComponent(fileName)}`),
  };
}
