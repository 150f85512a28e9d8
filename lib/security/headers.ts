/**
 * The security headers of every page. Scripts run only with this response's nonce (Next adds
 * it to its own scripts when it finds the policy on the request), so an injected <script> or
 * inline handler does not run; styles allow inline attributes, which Radix positions menus
 * with. No framing, no plugins, forms and base URLs to this origin only.
 */
export function contentSecurityPolicy(nonce: string, development = process.env.NODE_ENV === 'development'): string {
  return [
    `default-src 'self'`,
    // React's development build evaluates code for error overlays and fast refresh.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data:`,
    `font-src 'self'`,
    `connect-src 'self'${development ? ' ws:' : ''}`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/**
 * Headers every response Next sends carries, pages and API alike (next.config.ts). server.ts's
 * verify answers carry only those that mean something to a machine (lib/verify/endpoint.ts):
 * the opener and resource policies guard documents and no-cors loads, and verify is neither.
 */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  // No cross-origin window keeps a handle on ours; no other site embeds our responses.
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Two years, subdomains included: once a browser has seen it, it never speaks plain http to us. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

/**
 * Whether Keyward is served over https, for Strict-Transport-Security: the configured public
 * address (AUTH_URL) is https — then every response says so — or a trusted proxy
 * (KEYWARD_TRUSTED_PROXIES > 0) forwarded the request with `X-Forwarded-Proto: https` (the last
 * value, which the nearest proxy wrote). A client's own X-Forwarded-Proto counts for nothing.
 * Browsers ignore the header on plain http anyway; this keeps it off http deployments.
 */
export function servedOverHttps(options: { publicUrl?: string; trustedProxies: number; forwardedProto?: string | string[] }): boolean {
  if (options.publicUrl && /^https:/i.test(options.publicUrl)) return true;
  if (options.trustedProxies <= 0 || options.forwardedProto === undefined) return false;
  const proto = Array.isArray(options.forwardedProto) ? options.forwardedProto.join(',') : options.forwardedProto;
  return proto.slice(proto.lastIndexOf(',') + 1).trim().toLowerCase() === 'https';
}

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
