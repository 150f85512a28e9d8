import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and data files that must be loaded from node_modules at run time.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2'],
  poweredByHeader: false,
  typedRoutes: false,
  logging: {
    // Server-action arguments can hold passwords and key secrets; never print them.
    serverFunctions: false,
  },
};

export default nextConfig;
