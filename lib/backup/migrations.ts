/**
 * How far a database's schema has come: the migrations drizzle recorded in it, against those this
 * version of Keyward ships (db/migrations/meta/_journal.json). Restores and the upgrade fixtures
 * report it; the server applies the rest at start (db/migrate.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { migrationsFolder } from '@/db/migrate';
import { hasErrorCode } from '@/lib/errors';

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_SCHEMA = '3F000';

/** The tags of the migrations this version ships, oldest first (e.g. `0013_usage`). */
export function shippedMigrations(): string[] {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.map((entry) => entry.tag);
}

/** How many migrations the database has applied, or undefined when it is not a Keyward database. */
export async function appliedMigrations(db: Db): Promise<number | undefined> {
  try {
    const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return row?.n ?? 0;
  } catch (error) {
    if (hasErrorCode(error, new Set([UNDEFINED_TABLE, UNDEFINED_SCHEMA]))) return undefined;
    throw error;
  }
}

/** One sentence on where a restored database stands against this version. */
export function migrationStanding(applied: number): string {
  const shipped = shippedMigrations().length;
  if (applied === shipped) return `it has every migration of this version (${shipped})`;
  if (applied < shipped) return `it has ${applied} of this version's ${shipped} migrations: the server applies the other ${shipped - applied} when it starts`;
  return `it has ${applied} migrations, more than this version's ${shipped}: it comes from a newer Keyward, so run that version on it`;
}
