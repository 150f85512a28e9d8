/**
 * Runs operator CLI commands for a test, in the test's own process: through the server's
 * operator socket when it holds PGlite, or with the CLI's own command code on its PostgreSQL
 * database. (scripts/keyward.test.ts covers the CLI process itself; spawning one per seed
 * step would only slow the browser tests down.)
 */
import { readFileSync } from 'node:fs';
import { openDatabase, type Database } from '@/db/client';
import { runThroughOperatorSocket } from '@/lib/cli/operator-socket';
import { runArgvOnDb } from '@/lib/cli/run';
import { loadCatalogue, setActiveCatalogue } from '@/lib/permissions/load';
import { catalogueOf, currentPort, e2eDatabaseUrl, e2eDataDir, e2eServerEnvFile } from './env';

export type CliRun = { code: number; stdout: string; stderr: string };

const databases = new Map<string, Database>();

function databaseAt(url: string): Database {
  let database = databases.get(url);
  if (!database) {
    database = openDatabase({ driver: 'postgres', url, max: 2 });
    databases.set(url, database);
  }
  return database;
}

export async function keyward(args: string[], stdin?: string): Promise<CliRun> {
  const port = currentPort();
  const input = stdin?.replace(/\r?\n$/, '');
  const url = e2eDatabaseUrl(port);
  let result;
  if (url) {
    const serverEnv = JSON.parse(readFileSync(e2eServerEnvFile(port), 'utf8')) as { KEYWARD_ENCRYPTION_KEY: string };
    process.env.KEYWARD_ENCRYPTION_KEY = serverEnv.KEYWARD_ENCRYPTION_KEY;
    process.env.AUTH_SECRET ||= 'unused-by-the-cli-commands';
    setActiveCatalogue(loadCatalogue(catalogueOf(port)));
    result = await runArgvOnDb(() => databaseAt(url).db, args, input);
  } else {
    result = await runThroughOperatorSocket(e2eDataDir(port), args, input);
  }
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
