/** Tests create and drop databases: only ever on this machine's PostgreSQL. */
export function assertLocalDatabaseUrl(url: string): void {
  const host = new URL(url).hostname;
  if (!['localhost', '127.0.0.1', '::1', '[::1]', ''].includes(host) && process.env.KEYWARD_TEST_ALLOW_REMOTE_DB !== 'true') {
    throw new Error(
      `Refusing to create test databases on ${host}: tests only use a local PostgreSQL (set KEYWARD_TEST_ALLOW_REMOTE_DB=true to override).`,
    );
  }
}
