/**
 * Runs operator CLI commands for a test, in the test's own process: through the server's
 * operator socket when it holds PGlite, or with the CLI's own command code on its PostgreSQL
 * database. (scripts/keyward.test.ts covers the CLI process itself; spawning one per seed
 * step would only slow the browser tests down.) Commands go to the server the running test
 * talks to, or to another one a test started itself (`CliTarget`).
 */
import { readFileSync } from 'node:fs';
import { openDatabase, type Database } from '@/db/client';
import { runThroughOperatorSocket } from '@/lib/cli/operator-socket';
import { runArgvOnDb } from '@/lib/cli/run';
import { loadCatalogue, setActiveCatalogue } from '@/lib/permissions/load';
import { catalogueOf, currentPort, e2eDatabaseUrl, e2eDataDir, e2eServerEnvFile } from './env';

export type CliRun = { code: number; stdout: string; stderr: string };

/** A Keyward server's database, as the CLI reaches it. */
export type CliTarget = {
  dataDir: string;
  /** PostgreSQL; unset: PGlite, through the server's operator socket. */
  databaseUrl?: string;
  catalogue: string;
  /** The server's KEYWARD_ENCRYPTION_KEY, which keys written to PostgreSQL directly are encrypted under. */
  encryptionKey(): string;
};

/** The server of the browser-test run on `port` (e2e/serve.ts). */
export function e2eServerTarget(port: number): CliTarget {
  return {
    dataDir: e2eDataDir(port),
    databaseUrl: e2eDatabaseUrl(port),
    catalogue: catalogueOf(port),
    encryptionKey: () => (JSON.parse(readFileSync(e2eServerEnvFile(port), 'utf8')) as { KEYWARD_ENCRYPTION_KEY: string }).KEYWARD_ENCRYPTION_KEY,
  };
}

const databases = new Map<string, Database>();

function databaseAt(url: string): Database {
  let database = databases.get(url);
  if (!database) {
    database = openDatabase({ driver: 'postgres', url, max: 2 });
    databases.set(url, database);
  }
  return database;
}

export async function keyward(args: string[], stdin?: string, target: CliTarget = e2eServerTarget(currentPort())): Promise<CliRun> {
  const input = stdin?.replace(/\r?\n$/, '');
  const url = target.databaseUrl;
  let result;
  if (url) {
    process.env.KEYWARD_ENCRYPTION_KEY = target.encryptionKey();
    process.env.AUTH_SECRET ||= 'unused-by-the-cli-commands';
    setActiveCatalogue(loadCatalogue(target.catalogue));
    result = await runArgvOnDb(() => databaseAt(url).db, args, input);
  } else {
    result = await runThroughOperatorSocket(target.dataDir, args, input);
  }
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
