/**
 * The database connection: PostgreSQL through postgres.js when DATABASE_URL is set, otherwise
 * embedded PGlite in the data dir. Opened lazily (so `next build` never touches a database)
 * and cached on globalThis (so every bundle of one process shares one PGlite instance).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { databaseUrl, dataDir } from '@/lib/config/env';
import { acquireDataDirLock } from './data-dir-lock';
import * as schema from './schema';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** What a transaction callback receives; domain functions take `Db | Tx` where either works. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type Database = {
  driver: 'pglite' | 'postgres';
  db: Db;
  /** PGlite's data dir, or undefined for in-memory PGlite and PostgreSQL. */
  dataDir?: string;
  /** PostgreSQL's connection string. */
  url?: string;
  /**
   * PostgreSQL only: calls `onMessage` for each NOTIFY on `channel`, and `onListen` each time the
   * listening connection (re)starts; NOTIFYs sent while it was down are lost. Resolves to an unlisten.
   */
  listen?: (channel: string, onMessage: (payload: string) => void, onListen?: () => void) => Promise<() => Promise<void>>;
  /**
   * PGlite only: a consistent copy of the whole database, as PGlite's data dir in a gzipped tar
   * (`dumpDataDir`). Taken after a checkpoint and between transactions: a transaction under way
   * finishes first, and statements wait while the copy is made (about a second per 5 MB).
   */
  snapshot?: () => Promise<Uint8Array>;
  close(): Promise<void>;
};

export type DatabaseOptions =
  | { driver: 'postgres'; url: string; max?: number }
  // dataDir undefined: an in-memory database (tests). loadDataDir: a snapshot to create it from,
  // into a data dir that holds no database yet (a restore).
  | { driver: 'pglite'; dataDir?: string; loadDataDir?: Uint8Array<ArrayBuffer> };

/**
 * How long a connection waits before its next attempt after `retries` failed ones in a row, in
 * seconds. postgres.js's own delay grows to 20 s, and a query handed to a closed connection waits
 * it out: during an outage every request hung 10–20 s before its 503, and a console page that
 * runs several queries one after another timed out in the browser. Capped at half a second, a
 * request fails within about that once PostgreSQL refuses connections, and finds it again as soon
 * as it is back; ten connections retrying twice a second cost a stopped server nothing. The
 * jitter keeps the pool's connections from retrying in step.
 */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.01 * 2 ** retries, 0.5) * (0.5 + Math.random() / 2);
}

/** A server that does not answer at all (a dropped route, not a refusal) fails a request in 5 s, not postgres.js's 30. */
export const CONNECT_TIMEOUT_SECONDS = 5;

export function openDatabase(options: DatabaseOptions): Database {
  if (options.driver === 'postgres') {
    const client = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: () => {},
      backoff: reconnectDelaySeconds,
      connect_timeout: CONNECT_TIMEOUT_SECONDS,
    });
    return {
      driver: 'postgres',
      db: drizzlePostgres(client, { schema }) as unknown as Db,
      url: options.url,
      listen: async (channel, onMessage, onListen) => {
        const { unlisten } = await client.listen(channel, onMessage, onListen);
        return unlisten;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  let release = () => {};
  if (options.dataDir) {
    // PGlite creates only the last folder of its path.
    mkdirSync(path.dirname(options.dataDir), { recursive: true });
    release = acquireDataDirLock(path.dirname(options.dataDir));
  }
  const loadDataDir = options.loadDataDir && new Blob([options.loadDataDir]);
  const client = new PGlite({ dataDir: options.dataDir, extensions: { pg_trgm, btree_gin }, loadDataDir });
  return {
    driver: 'pglite',
    db: drizzlePglite(client, { schema }) as unknown as Db,
    dataDir: options.dataDir,
    snapshot: async () => {
      // Written pages go to the files now, so the copy needs little of the write-ahead log…
      await client.exec('checkpoint');
      // …and holding the transaction lock means no transaction is half-way through the copy.
      const tarball = await client._runExclusiveTransaction(() => client.dumpDataDir('gzip'));
      return new Uint8Array(await tarball.arrayBuffer());
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/** The options this process's environment asks for. */
export function databaseOptionsFromEnv(): DatabaseOptions {
  const url = databaseUrl();
  return url ? { driver: 'postgres', url } : { driver: 'pglite', dataDir: path.join(dataDir(), 'pglite') };
}

const globalForDb = globalThis as unknown as { keywardDatabase?: Database };

/** The process-wide database, opened on first use. */
export function getDatabase(): Database {
  globalForDb.keywardDatabase ??= openDatabase(databaseOptionsFromEnv());
  return globalForDb.keywardDatabase;
}

export function getDb(): Db {
  return getDatabase().db;
}

/** Replaces the process-wide database (tests and the CLI choose theirs explicitly). */
export function setDatabase(database: Database | undefined): void {
  globalForDb.keywardDatabase = database;
}

/** The rows of a raw statement: postgres.js answers an array of them, PGlite an object holding them. */
export async function queryRows<T extends Record<string, unknown>>(db: Db | Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}
