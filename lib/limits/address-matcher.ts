/**
 * Whether a client address is in a key's allowed addresses: node:net's BlockList (its prefix
 * checks are C++), built once per looked-up key (lib/limits/key-limits.ts). An IPv4 client
 * reached over IPv6 (`::ffff:192.0.2.1`) is matched as the IPv4 address it is. Server only.
 */
import net from 'node:net';
import { parseAddressEntry } from './addresses';

export type AddressMatcher = (client: string) => boolean;

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

export function addressMatcher(addresses: readonly string[]): AddressMatcher {
  const list = new net.BlockList();
  for (const entry of addresses) {
    const parsed = parseAddressEntry(entry);
    if ('error' in parsed) continue; // stored lists were checked on the way in
    if (parsed.prefix === (parsed.family === 'ipv4' ? 32 : 128)) list.addAddress(parsed.network, parsed.family);
    else list.addSubnet(parsed.network, parsed.prefix, parsed.family);
  }
  return (client) => {
    const mapped = MAPPED_V4.exec(client);
    const address = mapped ? mapped[1]! : client;
    const version = net.isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}
