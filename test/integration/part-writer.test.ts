import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { PartWriter } from '../../src/downloaders/part-writer.ts';
import { asStorageError, StorageError } from '../../src/errors.ts';

// The part writer on real files and its real thread: what it writes, what it hashes,
// and what is on disk when a body stalls, breaks or the disk is full.

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'parker-part-writer-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `bytes` cut into chunks of uneven sizes, none aligned with the writer's blocks. */
function unevenChunks(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, step = 1; at < bytes.length; step = (step * 7919) % 300_001) {
    chunks.push(bytes.subarray(at, at + step));
    at += step;
  }
  return chunks;
}

test('writes the body in order and hashes exactly what it wrote', async () => {
  const body = randomBytes(9 * 2 ** 20 + 12_345);
  const file = path.join(dir, 'whole.part');
  const writer = await PartWriter.open({ path: file, prefixBytes: 0 });
  await pipeline(Readable.from(unevenChunks(body)), writer);
  assert.equal(writer.sha256, sha256(body));
  assert.ok((await readFile(file)).equals(body));
});

test('continuing a part: the hash covers the bytes already there, the body is appended', async () => {
  const first = randomBytes(3 * 2 ** 20 + 7);
  const rest = randomBytes(2 * 2 ** 20 + 3);
  const file = path.join(dir, 'resumed.part');
  await writeFile(file, first);
  const writer = await PartWriter.open({ path: file, prefixBytes: first.length });
  await pipeline(Readable.from(unevenChunks(rest)), writer);
  const whole = Buffer.concat([first, rest]);
  assert.equal(writer.sha256, sha256(whole));
  assert.ok((await readFile(file)).equals(whole));
});

test('a long prefix reports its progress, so the transfer keeps heartbeating', async () => {
  const prefix = randomBytes(130 * 2 ** 20);
  const file = path.join(dir, 'long-prefix.part');
  await writeFile(file, prefix);
  const reported: number[] = [];
  const writer = await PartWriter.open({ path: file, prefixBytes: prefix.length, onPrefixHashed: (bytes) => reported.push(bytes) });
  await pipeline(Readable.from([Buffer.from('tail')]), writer);
  assert.deepEqual(reported, [64 * 2 ** 20, 128 * 2 ** 20]);
  assert.equal(writer.sha256, sha256(Buffer.concat([prefix, Buffer.from('tail')])));
});

test('a body that stalls has what it delivered on disk within a fraction of a second', async () => {
  const file = path.join(dir, 'stalled.part');
  const writer = await PartWriter.open({ path: file, prefixBytes: 0 });
  writer.write(randomBytes(70_000));
  await sleep(500);
  assert.equal((await stat(file)).size, 70_000, 'a part-full block is written without waiting for the rest');
  writer.destroy();
  await new Promise((resolve) => writer.once('close', resolve));
});

test('a body cut short keeps every byte it delivered, for the resume', async () => {
  const file = path.join(dir, 'cut.part');
  const delivered = randomBytes(1_500_000);
  const writer = await PartWriter.open({ path: file, prefixBytes: 0 });
  const cut = new Readable({ read() {} });
  cut.push(delivered);
  setTimeout(() => cut.destroy(new Error('connection reset')), 20);
  await assert.rejects(pipeline(cut, writer), /connection reset/);
  // pipeline rejects at the source's error; the part is complete once the writer has closed it.
  if (!writer.closed) await new Promise((resolve) => writer.once('close', resolve));
  assert.ok((await readFile(file)).equals(delivered), 'every delivered byte is in the part');
  assert.equal(writer.sha256, undefined, 'an unfinished part has no sha256');
});

test('a full disk fails the write with ENOSPC, which Parker reports as a storage failure', async () => {
  const writer = await PartWriter.open({ path: '/dev/full', prefixBytes: 0 });
  const error = await pipeline(Readable.from([randomBytes(3 * 2 ** 20)]), writer).then(
    () => assert.fail('writing to /dev/full succeeded'),
    (failure: unknown) => failure,
  );
  assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  assert.ok(asStorageError(error, '/dev/full') instanceof StorageError);
});

test('a part that cannot be opened rejects with the reason and the path', async () => {
  const missing = path.join(dir, 'no-such-folder', 'video.part');
  await assert.rejects(PartWriter.open({ path: missing, prefixBytes: 0 }), (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, 'ENOENT');
    assert.match(error.message, /no-such-folder/);
    return true;
  });
});

test('several parts at once on the one thread stay apart', async () => {
  const bodies = [randomBytes(5 * 2 ** 20), randomBytes(2 ** 20 + 1), randomBytes(17)];
  const writers = await Promise.all(bodies.map((_, i) => PartWriter.open({ path: path.join(dir, `many-${i}.part`), prefixBytes: 0 })));
  await Promise.all(bodies.map((body, i) => pipeline(Readable.from(unevenChunks(body)), writers[i]!)));
  for (const [i, body] of bodies.entries()) {
    assert.equal(writers[i]!.sha256, sha256(body));
    assert.ok((await readFile(path.join(dir, `many-${i}.part`))).equals(body));
  }
});
