/**
 * The client's address for rate limits and the audit log. With KEYWARD_TRUSTED_PROXIES=0 (the
 * default) it is the TCP peer and any X-Forwarded-For sent by the client is ignored; with N it
 * is the address N proxies back, as they appended it.
 */
export function resolveClientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: number): string {
  const peer = remoteAddress?.replace(/^::ffff:/, '') || 'unknown';
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
