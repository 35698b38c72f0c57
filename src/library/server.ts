import path from 'node:path';
import type { AddressInfo } from 'node:net';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Db } from '../db/connect.ts';
import { getLibraryChannel, getLibraryVideo, listLibraryChannels } from '../db/library.ts';
import type { Logger } from '../log.ts';
import { mediaTypeForFile } from '../naming/media-types.ts';
import { channelFeed } from './channel-feed.ts';
import type { FeedOptionsByChannel } from './feed-options.ts';
import { feedTokenMatches } from './feed-token.ts';
import { libraryUrls } from './library-urls.ts';
import { buildOpml } from './opml.ts';
import { servedFile, servedThumbnail, type ServedFile } from './served-files.ts';

// The library server: podcast feeds of what Parker downloaded, the OPML file that lists
// them, and the files themselves with Range (podcast apps seek and resume). Read only.
// Files are found through their database row, by id, never by a path from the URL: a
// request cannot name a file, so `..` in any encoding leads nowhere, and the row's file
// is sent only when its real path is inside the download folder.

export interface LibraryServerDeps {
  db: Db;
  /** Absolute; nothing outside it is ever sent. */
  downloadDir: string;
  /** When set, every request must carry it as `?token=`; 401 otherwise. */
  feedToken?: string;
  /** Each channel's `feed:` options, asked for at every request (see feed-options.ts). */
  feedOptions(): Promise<FeedOptionsByChannel>;
  log: Logger;
}

// Room for a file name of 255 bytes, every byte percent-encoded.
const MAX_PARAM_LENGTH = 1024;
const VIDEO_ID = /^[1-9][0-9]{0,14}$/;

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
}

export async function createLibraryServer(deps: LibraryServerDeps): Promise<FastifyInstance> {
  // Fastify's own request log would write every URL, token and all: Parker logs errors only.
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } });
  // Range, If-Range, ETag and Last-Modified come from @fastify/send; the paths it is given
  // were checked here first. Its own root-wide serving stays off.
  await app.register(fastifyStatic, { root: deps.downloadDir, serve: false, dotfiles: 'allow', index: false, cacheControl: false });

  if (deps.feedToken) {
    const token = deps.feedToken;
    app.addHook('onRequest', async (request, reply) => {
      if (!feedTokenMatches((request.query as Record<string, unknown>).token, token)) {
        return reply.code(401).type('text/plain; charset=utf-8').send('a valid token is required\n');
      }
    });
  }

  /** Where this request reached Parker: the base of links when a channel sets no public_url. */
  const requestBase = (request: FastifyRequest) => {
    const { port } = app.server.address() as AddressInfo;
    return `${request.protocol}://${request.host || `127.0.0.1:${port}`}`;
  };
  const urlsFor = (request: FastifyRequest, publicUrl: string | undefined) => libraryUrls(publicUrl ?? requestBase(request), deps.feedToken);

  /** Sends a checked file; `name` must be its own name, so one file has one address. */
  const sendChecked = (reply: FastifyReply, file: ServedFile | undefined, name: string, type: (fileName: string) => string | undefined) => {
    const fileName = file && path.basename(file.absolute);
    const contentType = fileName && fileName === name ? type(fileName) : undefined;
    if (!file || !contentType) return notFound(reply);
    const relative = path.relative(file.root, file.absolute).split(path.sep).join('/');
    return reply.header('content-type', contentType).sendFile(relative, file.root, { contentType: false });
  };

  app.get('/opml.xml', async (request, reply) => {
    const options = await deps.feedOptions();
    const feeds = (await listLibraryChannels(deps.db)).map((channel) => ({
      title: channel.title ?? channel.name,
      xmlUrl: urlsFor(request, options.get(channel.name)?.publicUrl).feed(channel.name),
      htmlUrl: channel.url,
    }));
    return reply.type('text/x-opml; charset=utf-8').send(buildOpml('Parker', feeds, new Date()));
  });

  app.get<{ Params: { file: string } }>('/feeds/:file', async (request, reply) => {
    const name = request.params.file.endsWith('.xml') ? request.params.file.slice(0, -'.xml'.length) : '';
    const channel = name ? await getLibraryChannel(deps.db, name) : undefined;
    if (!channel) return notFound(reply);
    const options = (await deps.feedOptions()).get(channel.name) ?? {};
    const xml = await channelFeed(deps, channel, options, urlsFor(request, options.publicUrl));
    return reply.type('application/rss+xml; charset=utf-8').send(xml);
  });

  app.get<{ Params: { id: string; name: string } }>('/media/:id/:name', async (request, reply) => {
    const video = VIDEO_ID.test(request.params.id) ? await getLibraryVideo(deps.db, Number(request.params.id)) : undefined;
    const file = video && (await servedFile(deps.downloadDir, video.filePath));
    return sendChecked(reply, file, request.params.name, (fileName) => mediaTypeForFile(fileName, video?.mediaType));
  });

  app.get<{ Params: { id: string; name: string } }>('/images/:id/:name', async (request, reply) => {
    const video = VIDEO_ID.test(request.params.id) ? await getLibraryVideo(deps.db, Number(request.params.id)) : undefined;
    const file = video && (await servedThumbnail(deps.downloadDir, video.filePath));
    return sendChecked(reply, file, request.params.name, imageType);
  });

  app.setNotFoundHandler((_request, reply) => notFound(reply));
  app.setErrorHandler((error: Error & { statusCode?: number; headers?: Record<string, string> }, request, reply) => {
    // A request's own fault, such as a range past the end (416, with the Content-Range
    // that says the file's length): answered as such, not logged.
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      if (error.headers) reply.headers(error.headers);
      return reply.code(error.statusCode).type('text/plain; charset=utf-8').send(`${error.message}\n`);
    }
    // The route, not the URL: the URL carries the token.
    deps.log.error({ err: error, route: request.routeOptions.url }, 'library server: request failed');
    return reply.code(500).type('text/plain; charset=utf-8').send('internal error\n');
  });
  return app;
}

const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

function imageType(fileName: string): string | undefined {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  return Object.hasOwn(IMAGE_TYPES, ext) ? IMAGE_TYPES[ext] : undefined;
}

export interface RunningLibraryServer {
  /** `http://host:port` it listens at. */
  url: string;
  close(): Promise<void>;
}

/** Starts the server on host:port (port 0: any free one). */
export async function startLibraryServer(deps: LibraryServerDeps, listen: { host: string; port: number }): Promise<RunningLibraryServer> {
  const app = await createLibraryServer(deps);
  await app.listen({ host: listen.host, port: listen.port });
  const { address, port, family } = app.server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;
  deps.log.info(`podcast feeds: http://${host}:${port}/opml.xml lists every channel's feed${deps.feedToken ? ' (with ?token=)' : ''}`);
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
