import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

// Which addresses Parker may connect to. Feeds and redirects are written by strangers;
// without this, a feed could make Parker fetch from the machine's own services, the
// cloud metadata endpoint (169.254.169.254) or the local network. Loopback, private,
// link-local and other special ranges are refused unless the operator allow-lists them
// (PARKER_ALLOW_PRIVATE); the check runs on every hop and on the addresses DNS returns.

const SPECIAL_RANGES: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'special-purpose'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const SPECIAL = SPECIAL_RANGES.map(([network, bits, type, label]) => {
  const range = new BlockList();
  range.addSubnet(network, bits, type);
  return { range, type, label };
});

/** `::ffff:127.0.0.1` → `127.0.0.1`: a mapped IPv4 address is judged as IPv4. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** Parses `127.0.0.1, 192.168.0.0/16, ::1` into a BlockList; throws naming the bad entry. */
function parseAllowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const kind = isIP(address);
    if (!kind || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    const type = kind === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

export class AddressPolicy {
  private readonly allowed: BlockList;

  /** @param allow addresses and CIDR ranges that may be reached although special */
  constructor(readonly allow: readonly string[] = []) {
    this.allowed = parseAllowList(allow);
  }

  /** Why this address may not be reached, or undefined when it may. */
  refusal(rawAddress: string): string | undefined {
    const address = unmapped(rawAddress);
    const type = family(address);
    if (this.allowed.check(address, type)) return undefined;
    const special = SPECIAL.find(({ range, type: rangeType }) => rangeType === type && range.check(address, type));
    return special && `${rawAddress} is a ${special.label} address; add it to PARKER_ALLOW_PRIVATE to allow it`;
  }

  /**
   * A `dns.lookup` replacement for sockets: resolves as usual, then refuses the
   * connection if any address is not allowed (checking after resolution defeats DNS
   * names that point at private addresses).
   */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = addresses.map((entry) => this.refusal(entry.address)).find(Boolean);
      if (refused) {
        const blocked: NodeJS.ErrnoException = new Error(`refusing to connect to ${hostname}: ${refused}`);
        blocked.code = 'EPARKERBLOCKED';
        return callback(blocked, '');
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      return callback(null, first!.address, first!.family);
    });
  };
}
