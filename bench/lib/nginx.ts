import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/helpers/ports.ts';
import { cpuSecondsOf } from './measure.ts';

// Debian's nginx as the loopback file server of the throughput benchmarks: a server
// written in C with sendfile, so the clients, not the server, are what gets measured.

const NGINX = '/usr/sbin/nginx';

export interface Nginx {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** CPU seconds nginx's processes (master and worker) have used so far: what serving cost. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/** Fails loudly (no skipping) when nginx is not installed. */
function requireNginx(): void {
  const probe = spawnSync(NGINX, ['-v'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`${NGINX} is missing: install Debian's nginx (apt-get install nginx-light)`);
  }
}

/**
 * Starts nginx in the foreground with a config of its own under `prefix`, serving `root`
 * on a free 127.0.0.1 port. Files ending .mp4 are served as video/mp4, .xml as RSS;
 * `locations` adds server-level directives (a benchmark's own `location` blocks).
 */
export async function startNginx(prefix: string, root: string, locations = ''): Promise<Nginx> {
  requireNginx();
  const port = await freePort();
  await mkdir(path.join(prefix, 'logs'), { recursive: true });
  const config = path.join(prefix, 'nginx.conf');
  await writeFile(
    config,
    `# The benchmark's own nginx: one worker, no access log, sendfile from RAM.
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  types { video/mp4 mp4; application/rss+xml xml; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    ${locations}
  }
}
`,
  );
  const child = spawn(NGINX, ['-p', prefix, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const origin = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    const up = await fetch(`${origin}/`, { method: 'HEAD' }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (tries > 100) throw new Error(`nginx did not answer on ${origin} within 10 s: ${stderr}`);
    await sleep(100);
  }
  return {
    origin,
    async cpuSeconds() {
      // The worker is the master's child; /proc lists a thread's children.
      const children = await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8');
      const pids = [child.pid!, ...children.trim().split(/\s+/).filter(Boolean).map(Number)];
      const seconds = await Promise.all(pids.map((pid) => cpuSecondsOf(pid)));
      return seconds.reduce((sum, each) => sum + each, 0);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
