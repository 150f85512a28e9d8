import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client's address for rate limits and the audit log. With KEYWARD_TRUSTED_PROXIES=0 (the
 * default) it is the TCP peer and any X-Forwarded-For sent by the client is ignored; with N it
 * is the address N proxies back, as they appended it.
 */
export function resolveClientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: number): string {
  const peer = (remoteAddress?.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress) || 'unknown';
  if (trustedProxies <= 0) return peer;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  chain.push(peer);
  // The peer is the nearest proxy; each trusted proxy vouches for the entry before it.
  return chain[Math.max(0, chain.length - 1 - trustedProxies)]!;
}

/**
 * The client's address inside Next (server actions, sign-in, route handlers). server.ts has
 * already replaced X-Forwarded-For with the address resolved above, so the last entry is it;
 * under `next dev` Next sets the header to the socket's address.
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for');
  return forwarded?.split(',').pop()?.trim() || 'unknown';
}

/**
 * The bucket a rate limit counts an address in: an IPv4 address as it is, an IPv6 address by
 * its /64, since one host is routinely given a whole /64 and could otherwise change address on
 * every attempt. Anything else (`unknown`) is its own bucket.
 */
export function rateLimitBucket(address: string): string {
  // The common case, on the verify hot path: IPv4 (or `unknown`) is its own bucket.
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros (an embedded IPv4 tail included). */
function expandIPv6(address: string): string[] {
  let text = address.split('%')[0]!.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}
