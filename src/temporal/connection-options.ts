import { readFile } from 'node:fs/promises';
import type { TLSConfig } from '@temporalio/client';
import type { Settings } from '../config/settings.ts';

// How every Parker process connects to Temporal: the address, plus TLS (mTLS with a
// client certificate) and an API key when configured. Client and worker connections
// take the same options.

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/** Thrown when a configured certificate or key cannot be read. */
export class TemporalTlsError extends Error {
  override name = 'TemporalTlsError';
}

async function pem(variable: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new TemporalTlsError(`${variable}: cannot read ${file}: ${(error as Error).message}`);
  }
}

export async function temporalConnectionOptions(
  temporal: Settings['temporal'],
  address: string,
): Promise<TemporalConnectionOptions> {
  const { tls, apiKey } = temporal;
  const options: TemporalConnectionOptions = { address };
  if (apiKey) options.apiKey = apiKey; // implies TLS, as API keys must not travel in the clear
  if (!tls) return options;
  options.tls = {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.caPath ? { serverRootCACertificate: await pem('TEMPORAL_TLS_CA', tls.caPath) } : {}),
    ...(tls.certPath && tls.keyPath
      ? { clientCertPair: { crt: await pem('TEMPORAL_TLS_CERT', tls.certPath), key: await pem('TEMPORAL_TLS_KEY', tls.keyPath) } }
      : {}),
  };
  return options;
}
