/**
 * Test databases: every test file gets fresh ones — in-memory PGlite always, and a new
 * PostgreSQL database (created beside DATABASE_URL's, dropped afterwards) when DATABASE_URL
 * is set. The same tests run on both drivers through describeEachDatabase.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase, setDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { assertLocalDatabaseUrl } from './local-database';

export type TestDriver = Database['driver'];

export function testDrivers(): TestDriver[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export type TestDatabase = Database & { drop(): Promise<void> };

/** A fresh, migrated PostgreSQL database on DATABASE_URL's server; returns its URL and a dropper. */
export async function createPostgresDatabase(prefix = 'keyward_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('DATABASE_URL is not set.');
  assertLocalDatabaseUrl(baseUrl);
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

export async function openTestDatabase(driver: TestDriver): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const database = openDatabase({ driver: 'pglite' });
    await migrateDatabase(database);
    return { ...database, drop: () => database.close() };
  }
  const created = await createPostgresDatabase();
  const database = openDatabase({ driver: 'postgres', url: created.url, max: 5 });
  await migrateDatabase(database);
  return {
    ...database,
    drop: async () => {
      await database.close();
      await created.drop();
    },
  };
}

/**
 * Runs the same suite once per driver. `current()` is the database of the suite now running;
 * it is also installed as the process-wide database for code that calls getDb().
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
