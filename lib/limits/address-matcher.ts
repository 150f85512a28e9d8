/**
 * Whether a client address is in a key's allowed addresses, built once per looked-up key
 * (lib/limits/key-limits.ts). The ranges are kept as numbers (IPv4) and bigints (IPv6) and
 * matched by masking; a client's address is parsed once and remembered (up to PARSED_LIMIT
 * addresses, then forgotten together), since a service verifies from the same few addresses
 * again and again: node:net's BlockList, which parses the address on every check, took 1.7 µs a
 * verification for ten ranges. An IPv4 client reached over IPv6 (`::ffff:192.0.2.1`, also in
 * hex) is matched as the IPv4 address it is. Server only.
 */
import { isIP } from 'node:net';
import { addressRange, toBits } from './addresses';

export type AddressMatcher = (client: string) => boolean;

type Client = { v4: number } | { v6: bigint };

const PARSED_LIMIT = 10_000;
const parsedClients = new Map<string, Client | null>();

const V4_MAPPED_PREFIX = 0xffffn;

function parseClient(text: string): Client | null {
  // A link-local peer may carry its zone (fe80::1%eth0): the address is what is matched.
  const address = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  const version = isIP(address);
  if (version === 4) return { v4: Number(toBits(address, 'ipv4')) };
  if (version !== 6) return null;
  const bits = toBits(address, 'ipv6');
  return bits >> 32n === V4_MAPPED_PREFIX ? { v4: Number(bits & 0xffffffffn) } : { v6: bits };
}

function clientOf(text: string): Client | null {
  let client = parsedClients.get(text);
  if (client === undefined) {
    client = parseClient(text);
    if (parsedClients.size >= PARSED_LIMIT) parsedClients.clear();
    parsedClients.set(text, client);
  }
  return client;
}

export function addressMatcher(addresses: readonly string[]): AddressMatcher {
  const v4: { network: number; mask: number }[] = [];
  const v6: { network: bigint; mask: bigint }[] = [];
  for (const entry of addresses) {
    const range = addressRange(entry);
    if (range === null) continue; // stored lists were checked on the way in
    if (range.family === 'ipv4') v4.push({ network: Number(range.network), mask: Number(range.mask) });
    else v6.push(range);
  }
  return (text) => {
    const client = clientOf(text);
    if (client === null) return false;
    if ('v4' in client) return v4.some(({ network, mask }) => ((client.v4 & mask) >>> 0) === network);
    return v6.some(({ network, mask }) => (client.v6 & mask) === network);
  };
}
