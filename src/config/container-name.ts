import { reverse } from 'node:dns/promises';
import os from 'node:os';

// Under Docker Compose every replica of a service is a container named
// `<project>-<service>-<n>` (`<project>_<service>_<n>` with docker-compose 1.x), and the
// number is kept when a container is recreated. Docker's DNS answers a reverse lookup of a
// container's own address with that name (and the network's, after a dot), so it is an
// id that `docker compose up --scale worker=3` makes distinct per replica and that outlives
// a recreation, where the container's hostname (its id) does not.

/** Thrown when the container's name cannot be found out. */
export class ContainerNameError extends Error {
  override name = 'ContainerNameError';
}

/** The first label of a reverse-DNS answer: `parker-worker-2.parker_default` → `parker-worker-2`. */
export function containerNameOf(names: string[]): string | undefined {
  const label = names.map((name) => name.split('.')[0]!.trim()).find(Boolean);
  return label?.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
}

/** The container's own name, from Docker's DNS. */
export async function containerName(): Promise<string> {
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .filter((entry) => entry && entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry!.address);
  for (const address of addresses) {
    const name = containerNameOf(await reverse(address).catch(() => []));
    if (name) return name;
  }
  throw new ContainerNameError(
    `PARKER_HOST_ID_FROM=container-name: no reverse DNS name for this container's addresses (${addresses.join(', ') || 'none'}); set PARKER_HOST_ID instead`,
  );
}
