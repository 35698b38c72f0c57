import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressPolicy } from '../../src/http/address-policy.ts';
import { createHttpClient } from '../../src/http/client.ts';
import { podcastWithOneEpisode } from '../helpers/channels.ts';
import { mediaBytes, runCrawl, settledVideos, sha256, fixtureAndParker, uniqueName } from '../helpers/parker.ts';

// Hostile URLs from feeds and redirects. The fixture server (on 127.0.0.1, the one
// address these tests allow) redirects a media link somewhere Parker must not go.

const { server, parker } = await fixtureAndParker();

/** An episode whose media link redirects to `location`; returns the settled video. */
async function episodeRedirectingTo(location: (episodePath: string) => string) {
  const episode = podcastWithOneEpisode(server, { body: mediaBytes(1000), contentType: 'audio/mpeg' });
  server.setRedirect(episode.mediaPath, location(episode.mediaPath));
  await runCrawl(parker, episode.input);
  const [video] = await settledVideos(parker.db, episode.channel);
  return video!;
}

describe('URL policy', () => {
  const refused: Array<[string, (path: string) => string, RegExp]> = [
    ['a file: URL', () => 'file:///etc/passwd', /refusing file: URL/],
    ['a data: URL', () => 'data:audio/mpeg;base64,AAAA', /refusing data: URL/],
    ['the cloud metadata address (link-local)', () => 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['a loopback address that is not allow-listed', () => 'http://127.0.0.2:9/x.mp3', /127\.0\.0\.2 is a loopback address/],
    ['a private network address', () => 'http://10.0.0.1/x.mp3', /10\.0\.0\.1 is a private address/],
  ];
  for (const [name, location, reason] of refused) {
    test(`a redirect to ${name} is refused without a retry`, async () => {
      const video = await episodeRedirectingTo(location);
      assert.equal(video.status, 'failed');
      assert.match(video.reason!, reason);
      assert.match(video.reason!, /redirected from|refusing to connect/);
    });
  }

  test('a redirect chain back to itself is named a loop', async () => {
    const name = uniqueName('loop');
    server.setRedirect(`/${name}/a`, `/${name}/b`);
    server.setRedirect(`/${name}/b`, `/${name}/a`);
    const video = await episodeRedirectingTo(() => `/${name}/a`);
    assert.equal(video.status, 'failed');
    assert.match(video.reason!, /redirect loop/);
  });

  test('more than five redirects are refused', async () => {
    const name = uniqueName('chain');
    for (let i = 0; i < 6; i++) server.setRedirect(`/${name}/${i}`, `/${name}/${i + 1}`);
    server.setMedia(`/${name}/6`, { body: mediaBytes(100), contentType: 'audio/mpeg' });
    const video = await episodeRedirectingTo(() => `/${name}/0`);
    assert.equal(video.status, 'failed');
    assert.match(video.reason!, /more than 5 redirects/);
  });

  test('ordinary redirects, relative and absolute, are followed to the file', async () => {
    const name = uniqueName('hops');
    const body = mediaBytes(20_000);
    server.setMedia(`/${name}/final.mp3`, { body, contentType: 'audio/mpeg', etag: '"f"' });
    server.setRedirect(`/${name}/first`, server.url(`/${name}/second`), 301);
    server.setRedirect(`/${name}/second`, `/${name}/final.mp3`, 307);
    const video = await episodeRedirectingTo(() => `/${name}/first`);
    assert.equal(video.status, 'downloaded', video.reason);
    assert.equal(video.sha256, sha256(body));
  });

  test('a crawl of a file: URL fails at once, naming it', async () => {
    await assert.rejects(runCrawl(parker, { channel: uniqueName('file'), url: 'file:///etc/passwd', backfill: 1 }), (error: Error) => {
      const root = (error.cause as Error | undefined)?.cause as Error | undefined;
      return /no source can list file:\/\/\/etc\/passwd/.test(root?.message ?? '');
    });
  });

  test('a DNS name is checked after resolution: localhost is refused unless its address is allowed', async () => {
    const url = `http://localhost:${new URL(server.origin).port}/anything`;
    const strict = createHttpClient({ addressPolicy: new AddressPolicy([]) });
    await assert.rejects(strict.get(url), /refusing to connect to localhost: 127\.0\.0\.1 is a loopback address/);
    const allowing = createHttpClient({ addressPolicy: new AddressPolicy(['127.0.0.1']) });
    const response = await allowing.get(url);
    assert.equal(response.status, 404, 'allowed, the request reaches the fixture server');
    response.body.resume();
  });
});
