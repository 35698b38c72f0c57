// `npm run bench:throughput`: Parker's HTTP downloader against curl and yt-dlp's native
// downloader, fetching one 2 GiB file from a loopback nginx that serves it from RAM into
// the same RAM file system. Runs are interleaved (each round runs every client, in a rotating
// order), so a load that comes and goes on a shared machine hits them alike; the
// ratios of medians are what the targets judge. Each run also prints what nginx spent
// serving it and how many cores the client and nginx kept busy between them: on two
// cores, near 2 means the transfer is bound by CPU per byte, not by waiting. Two more
// clients measure Parker's halves alone (bench/lib/throughput-floors.ts): `read` fetches
// through undici and drops the body, `write` feeds the part writer from memory. From their
// CPU per GiB and nginx's comes the ceiling: the fastest a downloader made of these parts
// could go on these cores. Three more measure what no node downloader that hashes can
// skip, bare: `socket` receives the response on a plain socket into one reused buffer,
// `sha256` hashes from memory, `write(2)` writes from memory in 1 MiB blocks; together
// they are the least CPU per GiB a node downloader with sha256 on could spend.
// Parker's downloader runs in this process, which starts itself again under the node
// flags of the Dockerfile's CMD when it was not given them.
//   BENCH_RUNS (default 5), BENCH_FILE_MIB (default 2048), BENCH_DIR (default /dev/shm)
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { throttle } from 'lodash-es';
import { createHttpDownloader } from '../src/downloaders/http.ts';
import { createHttpClient } from '../src/http/client.ts';
import { AddressPolicy } from '../src/http/address-policy.ts';
import type { DownloadProgress } from '../src/shared/download.ts';
import { writeMediaFile } from './lib/media-site.ts';
import { startNginx } from './lib/nginx.ts';
import { rerunUnderProductionFlags } from './lib/production-flags.ts';
import { distinctBlocks, hashFromMemory, readAndDrop, receiveOnSocket, writeFromMemory, writeSyscallsFromMemory } from './lib/throughput-floors.ts';
import { machineLine, measureCommand, measureInProcess, median, targetLine, type Measurement, runBenchmark } from './lib/measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILE_MIB = Number(process.env.BENCH_FILE_MIB ?? 2048);
const BASE_DIR = process.env.BENCH_DIR ?? '/dev/shm';
const YTDLP = process.env.YTDLP_PATH ?? path.resolve(import.meta.dirname, '../.tools/ytdlp/bin/yt-dlp');
const GIB = 2 ** 30;

type Client = { name: string; fetch(url: string, into: string): Promise<Measurement> };
/** A client's run, with what nginx spent serving it. */
type Run = Measurement & { serverCpuSeconds: number };

/**
 * Cores the client and nginx kept busy between them. Near 2 on this machine's two cores,
 * the transfer is bound by CPU: it can only go faster by costing less per byte.
 */
function coresBusy(run: Run): number {
  return (run.cpuSeconds + run.serverCpuSeconds) / run.wallSeconds;
}

function parkerClient(): Client {
  const downloader = createHttpDownloader({ http: createHttpClient({ addressPolicy: new AddressPolicy(['127.0.0.1']) }) });
  return {
    name: 'parker',
    fetch: (url, into) =>
      measureInProcess(async () => {
        // As the transfer activity does: every chunk reports, a throttle lets one through per 500 ms.
        const heartbeat = throttle((_progress: DownloadProgress) => {}, 500);
        const controller = new AbortController();
        await downloader.download({ url, partPath: into, signal: controller.signal, onProgress: heartbeat });
        heartbeat.cancel();
      }),
  };
}

/** Parker's read alone: undici with the body dropped. */
const readClient: Client = {
  name: 'read',
  fetch: (url) => measureInProcess(() => readAndDrop(url)),
};

/** Parker's write alone: the part writer (copy, hand-off, sha256, write) fed from memory. */
const writeClient: Client = {
  name: 'write',
  fetch: (_url, into) => measureInProcess(() => writeFromMemory(into, FILE_MIB * 2 ** 20)),
};

/** Node's socket alone: the response received into one reused buffer, no HTTP parser. */
const socketClient: Client = {
  name: 'socket',
  fetch: (url) => measureInProcess(() => receiveOnSocket(url)),
};

/** The sha256 alone, from memory. */
const hashClient: Client = {
  name: 'sha256',
  fetch: () => measureInProcess(async () => hashFromMemory(FILE_MIB * 2 ** 20)),
};

/** The write system calls alone, from memory. */
const writeSyscallsClient: Client = {
  name: 'write(2)',
  fetch: (_url, into) => measureInProcess(async () => writeSyscallsFromMemory(into, FILE_MIB * 2 ** 20)),
};

const curlClient: Client = {
  name: 'curl',
  fetch: (url, into) => measureCommand('curl', ['--silent', '--show-error', '--fail', '--output', into, url]),
};

const ytDlpClient: Client = {
  name: 'yt-dlp',
  fetch: (url, into) =>
    measureCommand(YTDLP, [
      '--ignore-config',
      '--no-cache-dir',
      '--quiet',
      '--no-progress',
      '--no-mtime',
      '--downloader',
      'native',
      '--output',
      into,
      '--',
      url,
    ]),
};

async function main(): Promise<void> {
  const nodeFlags = rerunUnderProductionFlags();
  const dir = await mkdtemp(path.join(BASE_DIR, 'parker-bench-throughput-'));
  const root = path.join(dir, 'www');
  const out = path.join(dir, 'out');
  await mkdir(root, { recursive: true });
  await mkdir(out, { recursive: true });
  // nginx's worker runs as another user when started by root.
  await chmod(dir, 0o755);
  await writeMediaFile(path.join(root, 'media.mp4'), FILE_MIB * 2 ** 20);
  const nginx = await startNginx(path.join(dir, 'nginx'), root);
  const url = `${nginx.origin}/media.mp4`;
  const bytes = FILE_MIB * 2 ** 20;
  const clients = [parkerClient(), curlClient, ytDlpClient, readClient, writeClient, socketClient, hashClient, writeSyscallsClient];
  const results = new Map<string, Run[]>(clients.map((client) => [client.name, []]));
  console.log(`machine: ${await machineLine()}`);
  console.log(`Parker's downloader runs in this process, under production's node flags (the Dockerfile's): ${nodeFlags.join(' ')}`);
  console.log(`file: ${FILE_MIB} MiB from nginx on ${nginx.origin} (${root}) into ${out}; ${RUNS} interleaved runs`);
  // The bare hash's and writes' blocks are filled now, so no run of theirs measures the filling.
  distinctBlocks();
  try {
    for (let run = 0; run < RUNS; run++) {
      // Rotate who goes first, so no client always runs right after another's writes.
      const order = clients.map((_, i) => clients[(i + run) % clients.length]!);
      for (const client of order) {
        const into = path.join(out, `${client.name}.mp4`);
        const nginxBefore = await nginx.cpuSeconds();
        const measured = await client.fetch(url, into);
        const serverCpuSeconds = (await nginx.cpuSeconds()) - nginxBefore;
        await rm(into, { force: true });
        await rm(`${into}.resume.json`, { force: true });
        results.get(client.name)!.push({ ...measured, serverCpuSeconds });
        const mbps = bytes / measured.wallSeconds / 1e6;
        console.log(
          `run ${run + 1} ${client.name.padEnd(8)} ${mbps.toFixed(0).padStart(5)} MB/s  ${measured.wallSeconds.toFixed(2)} s wall  ${measured.cpuSeconds.toFixed(2)} s CPU  nginx ${serverCpuSeconds.toFixed(2)} s  cores busy ${coresBusy({ ...measured, serverCpuSeconds }).toFixed(2)}`,
        );
      }
    }
  } finally {
    await nginx.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const summary = new Map(
    [...results].map(([name, runs]) => [
      name,
      {
        mbps: median(runs.map((run) => bytes / run.wallSeconds / 1e6)),
        cpuPerGib: median(runs.map((run) => run.cpuSeconds / (bytes / GIB))),
        serverCpuPerGib: median(runs.map((run) => run.serverCpuSeconds / (bytes / GIB))),
        coresBusy: median(runs.map(coresBusy)),
      },
    ]),
  );
  console.log('\nmedians:');
  for (const [name, { mbps, cpuPerGib, serverCpuPerGib, coresBusy: busy }] of summary) {
    console.log(
      `  ${name.padEnd(8)} ${mbps.toFixed(0).padStart(5)} MB/s  ${cpuPerGib.toFixed(2)} CPU s/GiB  nginx ${serverCpuPerGib.toFixed(2)} CPU s/GiB  cores busy ${busy.toFixed(2)} of ${os.cpus().length}`,
    );
  }
  const parker = summary.get('parker')!;
  const curl = summary.get('curl')!;
  const ytdlp = summary.get('yt-dlp')!;
  const vsCurl = parker.mbps / curl.mbps;
  const vsYtDlp = parker.mbps / ytdlp.mbps;
  const cpuVsCurl = parker.cpuPerGib / curl.cpuPerGib;
  // Each GiB needs the read's CPU, the writer's and nginx's, wherever they run; the cores
  // can give at most their number of CPU seconds a second.
  const read = summary.get('read')!;
  const write = summary.get('write')!;
  const floorCpuPerGib = read.cpuPerGib + write.cpuPerGib + parker.serverCpuPerGib;
  const ceilingMbps = (os.cpus().length / floorCpuPerGib) * (GIB / 1e6);
  console.log(
    `\nceiling on ${os.cpus().length} cores: read ${read.cpuPerGib.toFixed(2)} + write ${write.cpuPerGib.toFixed(2)} + nginx ${parker.serverCpuPerGib.toFixed(2)} = ${floorCpuPerGib.toFixed(2)} CPU s/GiB, so at most ${ceilingMbps.toFixed(0)} MB/s = ${(ceilingMbps / curl.mbps).toFixed(2)}x curl; Parker reaches ${((parker.mbps / ceilingMbps) * 100).toFixed(0)} % of it and spends ${(parker.cpuPerGib - read.cpuPerGib - write.cpuPerGib).toFixed(2)} CPU s/GiB more than its two halves`,
  );
  // What no node downloader with sha256 on can skip: receiving the bytes, the hash, the writes.
  const socket = summary.get('socket')!;
  const hash = summary.get('sha256')!;
  const writes = summary.get('write(2)')!;
  const leastCpuPerGib = socket.cpuPerGib + hash.cpuPerGib + writes.cpuPerGib;
  const leastCeilingMbps = (os.cpus().length / (leastCpuPerGib + socket.serverCpuPerGib)) * (GIB / 1e6);
  console.log(
    `least of a node downloader with sha256: socket ${socket.cpuPerGib.toFixed(2)} + sha256 ${hash.cpuPerGib.toFixed(2)} + write(2) ${writes.cpuPerGib.toFixed(2)} = ${leastCpuPerGib.toFixed(2)} CPU s/GiB = ${(leastCpuPerGib / curl.cpuPerGib).toFixed(2)}x curl's; with nginx's ${socket.serverCpuPerGib.toFixed(2)}, at most ${leastCeilingMbps.toFixed(0)} MB/s on ${os.cpus().length} cores = ${(leastCeilingMbps / curl.mbps).toFixed(2)}x curl, ${(leastCeilingMbps / ytdlp.mbps).toFixed(2)}x yt-dlp`,
  );
  // One stream's sha256 is a chain, each block's state from the last: it runs on one core,
  // whatever else is spread over the others. A downloader that hashes as it receives
  // cannot move faster than that core hashes.
  console.log(
    `one core's sha256: ${hash.mbps.toFixed(0)} MB/s = ${(hash.mbps / curl.mbps).toFixed(2)}x curl, ${(hash.mbps / ytdlp.mbps).toFixed(2)}x yt-dlp: the most a downloader that hashes as it receives can move`,
  );
  console.log(`\nmachine at the end: ${await machineLine()}`);
  console.log('targets (sha256 on in Parker, not in curl or yt-dlp):');
  console.log(targetLine('throughput vs curl', vsCurl >= 0.9, `${vsCurl.toFixed(2)}x`, '≥ 0.9x'));
  console.log(targetLine('throughput vs yt-dlp', vsYtDlp >= 1.1, `${vsYtDlp.toFixed(2)}x`, '≥ 1.1x'));
  console.log(targetLine('CPU per GiB vs curl', cpuVsCurl <= 1.5, `${cpuVsCurl.toFixed(2)}x`, '≤ 1.5x'));
}

runBenchmark(main);
