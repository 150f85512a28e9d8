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
 * verify answers carry only those that mean something to a machine (lib/api/verify-endpoint.ts).
 */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
