import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import path from 'node:path';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { promisify } from 'node:util';

// A certificate authority, a server and a client certificate made with openssl, and a
// TLS front for the test Temporal server that demands a client certificate (mTLS),
// as a production frontend or a proxy before one would.

const run = promisify(execFile);

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** The name in the server certificate. */
  serverName: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${(error as Error).message}`);
  }
}

export async function makePki(dir: string): Promise<TestPki> {
  const file = (name: string) => path.join(dir, name);
  const serverName = 'temporal.test';
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Parker test CA', '-keyout', 'ca.key', '-out', 'ca.pem'], dir);
  for (const [name, subject, extensions] of [
    ['server', `/CN=${serverName}`, `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth\n`],
    ['client', '/CN=parker-worker', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
    await run('sh', ['-c', `printf '${extensions}' > ${name}.ext`], { cwd: dir });
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
  }
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    serverName,
  };
}

/** Terminates mTLS on a free port of 127.0.0.1 and forwards the bytes to `upstream`. */
export interface MtlsFront {
  address: string;
  /** Connections that passed the client-certificate check. */
  authorized(): number;
  close(): Promise<void>;
}

export async function startMtlsFront(pki: TestPki, upstream: string): Promise<MtlsFront> {
  const [host, port] = upstream.split(':');
  const sockets = new Set<Socket>();
  let authorized = 0;
  const server: Server = createTlsServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      if (client.authorized) authorized++;
      const server = netConnect(Number(port), host!);
      for (const socket of [client, server]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          server.destroy();
        });
      }
      client.pipe(server).pipe(client);
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: bound } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${bound}`,
    authorized: () => authorized,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
