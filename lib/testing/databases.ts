/**
 * Test databases: every test file gets fresh ones — in-memory PGlite always, and a new
 * PostgreSQL database (created beside DATABASE_URL's, dropped afterwards) when DATABASE_URL
 * is set. The same tests run on both drivers through describeEachDatabase.
 */
import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { setDatabase, type Database, type Db } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { resetVerifier } from '@/lib/verify/verifier';
import { temporaryDatabase, type Driver } from './temporary-database';

export function testDrivers(): Driver[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export type TestDatabase = Database & { drop(): Promise<void> };

/** A fresh, migrated database: PGlite in memory, or PostgreSQL beside DATABASE_URL's. */
export async function openTestDatabase(driver: Driver): Promise<TestDatabase> {
  const temporary = await temporaryDatabase(driver, { inMemory: true });
  const database = temporary.open(5);
  await migrateDatabase(database);
  return {
    ...database,
    drop: async () => {
      await database.close();
      await temporary.drop();
    },
  };
}

/**
 * Runs the same suite once per driver. `current()` is the database of the suite now running;
 * it is also installed as the process-wide database for code that calls getDb(), and the
 * process-wide verifier, should the suite have started one, is stopped before it is dropped.
 */
export function describeEachDatabase(name: string, suite: (current: () => TestDatabase) => void): void {
  for (const driver of testDrivers()) {
    describe(`${name} [${driver}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await openTestDatabase(driver);
        setDatabase(database);
      }, 60_000);
      afterAll(async () => {
        await resetVerifier();
        setDatabase(undefined);
        await database?.drop();
      });
      suite(() => {
        if (!database) throw new Error('The test database is not open yet.');
        return database;
      });
    });
  }
}

/** How many rows each table holds, by the names given: to show that a refused change wrote nothing. */
export async function rowCounts<Name extends string>(db: Db, tables: Record<Name, PgTable>): Promise<Record<Name, number>> {
  const counted = await Promise.all(
    Object.entries<PgTable>(tables).map(async ([name, table]) => {
      const [row] = await db.select({ n: count() }).from(table);
      return [name, row!.n] as const;
    }),
  );
  return Object.fromEntries(counted) as Record<Name, number>;
}
