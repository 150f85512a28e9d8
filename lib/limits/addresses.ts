/**
 * A key's allowed addresses: IPv4 and IPv6 addresses and CIDR ranges, at most
 * MAX_ALLOWED_ADDRESSES. Each entry is stored in its canonical form (a range cut down to its
 * network: `10.1.2.3/8` is `10.0.0.0/8`), and a whole-internet range (`0.0.0.0/0`, `::/0`) is
 * refused: it allows everyone, which is what no list means. This module is shared with the
 * console's forms (no Node built-ins); matching is lib/limits/address-matcher.ts's.
 */
import { z } from 'zod';

export const MAX_ALLOWED_ADDRESSES = 100;

export type AddressEntryError = { line: number; message: string };

const IPV4 = z.ipv4();
const IPV6 = z.ipv6();

/** 4 or 6 for an IPv4 or IPv6 address (no zone, no port), else 0. */
export function ipVersion(address: string): 0 | 4 | 6 {
  if (IPV4.safeParse(address).success) return 4;
  return IPV6.safeParse(address).success ? 6 : 0;
}

type Parsed = { canonical: string; family: 'ipv4' | 'ipv6'; network: string; prefix: number };

/** Bits of an IPv4 or IPv6 address, as a bigint (IPv6 zones and ports are refused before). */
export function toBits(address: string, family: 'ipv4' | 'ipv6'): bigint {
  if (family === 'ipv4') return address.split('.').reduce((bits, part) => (bits << 8n) | BigInt(Number(part)), 0n);
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (text: string | undefined) => (text ? text.split(':') : []);
  const expand = (parts: string[]) =>
    parts.flatMap((part) => {
      if (!part.includes('.')) return [part];
      const v4 = toBits(part, 'ipv4');
      return [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    });
  const left = expand(groups(head));
  const right = expand(groups(tail));
  const all = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function fromBits(bits: bigint, family: 'ipv4' | 'ipv6'): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((shift) => String((bits >> shift) & 0xffn)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((bits >> shift) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { at: i, length: j - i };
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/** One entry, or why it is not one. */
export function parseAddressEntry(text: string): Parsed | { error: string } {
  const entry = text.trim();
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const version = ipVersion(address);
  if (version === 0 || address.includes('%')) return { error: 'not an address or range' };
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const width = family === 'ipv4' ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const bits = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > width) return { error: `not an address or range (an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} prefix is 0 to ${width})` };
    prefix = Number(bits);
  }
  if (prefix === 0) return { error: `${entry} allows every address: leave the list empty instead` };
  const network = fromBits(toBits(address, family) & prefixMask(family, prefix), family);
  return { canonical: prefix === width ? network : `${network}/${prefix}`, family, network, prefix };
}

/** The bits a prefix keeps, as a mask over the family's width. */
function prefixMask(family: 'ipv4' | 'ipv6', prefix: number): bigint {
  const width = BigInt(family === 'ipv4' ? 32 : 128);
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(prefix))) - 1n);
}

/** An entry as bits: an address is in it when `(address & mask) === network`. */
export type AddressRange = { family: 'ipv4' | 'ipv6'; prefix: number; network: bigint; mask: bigint };

/** A stored entry as an AddressRange; null for one that is not an entry. */
export function addressRange(entry: string): AddressRange | null {
  const parsed = parseAddressEntry(entry);
  if ('error' in parsed) return null;
  return { family: parsed.family, prefix: parsed.prefix, network: toBits(parsed.network, parsed.family), mask: prefixMask(parsed.family, parsed.prefix) };
}

/**
 * The list as stored: canonical entries, duplicates dropped, in their order; or every bad line
 * (1-based), so the console can name them ("line 3: not an address or range").
 */
export function parseAllowedAddresses(lines: readonly string[]): { ok: true; addresses: string[] } | { ok: false; errors: AddressEntryError[] } {
  const errors: AddressEntryError[] = [];
  const addresses: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parseAddressEntry(line);
    if ('error' in parsed) errors.push({ line: index + 1, message: parsed.error });
    else if (!addresses.includes(parsed.canonical)) addresses.push(parsed.canonical);
  });
  if (errors.length === 0 && addresses.length > MAX_ALLOWED_ADDRESSES) {
    errors.push({ line: lines.length, message: `at most ${MAX_ALLOWED_ADDRESSES} addresses or ranges` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, addresses };
}
