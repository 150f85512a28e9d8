/**
 * Every temporary database the tests and benchmarks use, made one way: a PostgreSQL database
 * created beside DATABASE_URL's (this machine's PostgreSQL only) and dropped afterwards, or
 * PGlite, in memory or in the data dir of the Keyward process that will use it. Created empty:
 * callers migrate, or leave that to the server or CLI they start. Never used by the server itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '@/db/client';

export type Driver = Database['driver'];

/** DATABASE_URL's server, else the machine's own PostgreSQL. */
export function postgresServerUrl(): string {
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Tests create and drop databases: only ever on this machine's PostgreSQL. */
export function assertLocalDatabaseUrl(url: string): void {
  const host = new URL(url).hostname;
  if (!['localhost', '127.0.0.1', '::1', '[::1]', ''].includes(host) && process.env.KEYWARD_TEST_ALLOW_REMOTE_DB !== 'true') {
    throw new Error(
      `Refusing to create test databases on ${host}: tests only use a local PostgreSQL (set KEYWARD_TEST_ALLOW_REMOTE_DB=true to override).`,
    );
  }
}

export type TemporaryDatabaseOptions = {
  /** Names it: the PostgreSQL database `<prefix>_<time>_<random>`, PGlite's temporary dir `<prefix>-…`. */
  prefix?: string;
  /** PostgreSQL: exactly this database, replacing one an earlier run left behind. */
  name?: string;
  /**
   * PGlite: the KEYWARD_DATA_DIR of the process that will use it; the database is its `pglite`
   * folder, where that process looks. Without it, a temporary dir that drop() removes.
   */
  dataDir?: string;
  /** PGlite: in this process's memory only (one open() in all). */
  inMemory?: boolean;
};

export type TemporaryDatabase = {
  driver: Driver;
  /** PostgreSQL: its connection string, a Keyward process's DATABASE_URL. */
  url?: string;
  /** Where it is, for messages: the database's name or PGlite's folder. */
  name: string;
  /** A connection of this process (PGlite in a data dir admits one process at a time). */
  open(max?: number): Database;
  drop(): Promise<void>;
};

async function asAdmin(serverUrl: string, statements: string[]): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    for (const statement of statements) await admin.unsafe(statement);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function temporaryDatabase(driver: Driver, options: TemporaryDatabaseOptions = {}): Promise<TemporaryDatabase> {
  const prefix = options.prefix ?? 'keyward_test';
  if (driver === 'postgres') {
    const serverUrl = postgresServerUrl();
    assertLocalDatabaseUrl(serverUrl);
    const name = options.name ?? `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const drop = `drop database if exists "${name}" with (force)`;
    await asAdmin(serverUrl, options.name ? [drop, `create database "${name}"`] : [`create database "${name}"`]);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      driver,
      url: url.href,
      name,
      open: (max = 4) => openDatabase({ driver, url: url.href, max }),
      drop: () => asAdmin(serverUrl, [drop]),
    };
  }
  if (options.inMemory) {
    return { driver, name: 'in memory', open: () => openDatabase({ driver }), drop: async () => {} };
  }
  const home = options.dataDir ?? mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const dataDir = path.join(home, 'pglite');
  rmSync(dataDir, { recursive: true, force: true });
  return {
    driver,
    name: dataDir,
    open: () => openDatabase({ driver, dataDir }),
    drop: async () => rmSync(options.dataDir ? dataDir : home, { recursive: true, force: true }),
  };
}
