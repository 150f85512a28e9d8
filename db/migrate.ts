/**
 * Applies the committed drizzle-kit migrations. Runs at every start (instrumentation.ts), in
 * the CLI and in tests; on PostgreSQL an advisory lock lets many nodes start at once.
 */
import path from 'node:path';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Database } from './client';

export const migrationsFolder = path.join(process.cwd(), 'db', 'migrations');

// Any constant shared by every node; it names Keyward's migration lock in pg_locks.
const MIGRATION_LOCK = 7_150_201;

export async function migrateDatabase(database: Database): Promise<void> {
  const config = { migrationsFolder };
  if (database.driver === 'pglite') {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator wants the concrete driver type
    await migratePglite(database.db as any, config);
    return;
  }
  // A session lock on a connection of its own: other nodes wait here, then find nothing to do.
  const lock = postgres(database.url!, { max: 1, onnotice: () => {} });
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    await migratePostgres(database.db as any, config);
  } finally {
    await lock.end({ timeout: 5 });
  }
}
