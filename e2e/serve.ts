/**
 * Starts the production build for the browser tests on a database of their own: a fresh
 * PostgreSQL database when DATABASE_URL is set (local servers only), else a fresh PGlite data
 * dir. Everything the server prints goes to the terminal and to e2eServerLog(port).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnProductionServer } from '../lib/testing/production-server';
import { temporaryDatabase } from '../lib/testing/temporary-database';
import { E2E_ADMIN, E2E_PORTS, E2E_SSO_SERVER_LOG, E2E_TEST_SECRETS_FILE, e2eDataDir, e2eDatabaseName, e2eServerEnvFile, e2eServerLog, e2eServerSecretsFile } from './support/env';

// Usage: tsx e2e/serve.ts <port> [catalogue]
const port = Number(process.argv[2]);
const catalogue = process.argv[3] ?? 'diga';

async function main(): Promise<void> {
  const dataDir = e2eDataDir(port);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  // Kept after the run, for a look at what the tests left; the next run replaces it. Its URL is
  // e2eDatabaseUrl(port), where the tests' seeding finds it.
  const database = await temporaryDatabase(process.env.DATABASE_URL ? 'postgres' : 'pglite', { name: e2eDatabaseName(port), dataDir });

  mkdirSync(path.dirname(e2eServerLog(port)), { recursive: true });
  const log = createWriteStream(e2eServerLog(port), { flags: 'w' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PERMISSIONS: catalogue,
    AUTH_SECRET: randomBytes(32).toString('base64'),
    KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KEYWARD_ADMIN_EMAIL: E2E_ADMIN.email,
    KEYWARD_ADMIN_PASSWORD: E2E_ADMIN.password,
    KEYWARD_SIGNIN_WINDOW_SECONDS: '60',
    // The API tests send their own X-Forwarded-For, so each has its own failure budget, and a
    // five-second failure window lets them see a rate limit lifted without waiting a minute.
    KEYWARD_TRUSTED_PROXIES: '1',
    KEYWARD_VERIFY_FAILURE_WINDOW_SECONDS: '5',
    // Verification counts reach the database within half a second, for the usage tests to read.
    KEYWARD_USAGE_FLUSH_MS: '500',
    // Every verify answer gets a log line of its own (by default they are summed once a minute),
    // so the log scan at the end sees each one.
    KEYWARD_LOG_LEVEL: 'debug',
  };
  if (database.url) env.DATABASE_URL = database.url;
  else delete env.DATABASE_URL;
  // The run's secrets, for the last test to look for in the logs; tests append theirs.
  writeFileSync(e2eServerSecretsFile(port), [env.AUTH_SECRET, env.KEYWARD_ENCRYPTION_KEY, E2E_ADMIN.password, ''].join('\n'), { mode: 0o600 });
  if (port === E2E_PORTS.diga) {
    writeFileSync(E2E_TEST_SECRETS_FILE, '', { mode: 0o600 });
    // Written again by the single sign-on tests if they run; an earlier run's is not this run's.
    rmSync(E2E_SSO_SERVER_LOG, { force: true });
  }
  // Tests that seed PostgreSQL directly encrypt new keys' secrets under the server's key.
  writeFileSync(e2eServerEnvFile(port), JSON.stringify({ KEYWARD_ENCRYPTION_KEY: env.KEYWARD_ENCRYPTION_KEY }), { mode: 0o600 });

  // The production server, as `npm start` runs it: server.ts answers verify, Next the rest.
  const server = spawnProductionServer({
    env: { ...env, PORT: String(port), HOSTNAME: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [server.stdout!, server.stderr!]) {
    stream.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      log.write(chunk);
    });
  }
  const stop = () => server.kill('SIGTERM');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  server.on('exit', (code) => {
    log.end();
    process.exit(code ?? 0);
  });
}

main().catch((error) => {
  console.error(`e2e server: ${(error as Error).message}`);
  process.exit(1);
});
