import type { NextConfig } from 'next';
import { MAX_CONSOLE_BODY_BYTES } from './lib/api/body-limit';
import { STATIC_SECURITY_HEADERS } from './lib/security/headers';

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and data files that must be loaded from node_modules at run time.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2'],
  poweredByHeader: false,
  typedRoutes: false,
  experimental: {
    // The console's largest action sends a few KB. Next stops reading at the limit and answers 413
    // (server.ts refuses a larger Content-Length, or a body without one, before Next sees it).
    serverActions: { bodySizeLimit: MAX_CONSOLE_BODY_BYTES },
    // Next copies a page request's body for proxy.ts (by default up to 10 MB), cut at a whole
    // chunk: with room for one more socket read than the actions' limit, a longer body still meets
    // their 413 rather than arriving cut short (a 500).
    proxyClientMaxBodySize: 4 * MAX_CONSOLE_BODY_BYTES,
  },
  async headers() {
    return [{ source: '/:path*', headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })) }];
  },
  logging: {
    // Server-action arguments can hold passwords and key secrets; never print them.
    serverFunctions: false,
  },
};

export default nextConfig;
