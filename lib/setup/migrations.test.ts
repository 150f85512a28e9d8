/**
 * Several nodes start at once on one PostgreSQL database: each applies the migrations and looks
 * for a first administrator (lib/setup/prepare.ts). Under the advisory lock (db/migrate.ts) one
 * applies every migration and the others find nothing to do; one first administrator is made.
 * PGlite is single-process, so this is PostgreSQL's alone.
 */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { memberships, projects, users } from '@/db/schema';
import { shippedMigrations } from '@/lib/backup/migrations';
import { temporaryDatabase, type TemporaryDatabase } from '@/lib/testing/temporary-database';
import { bootstrapFirstAdmin } from './bootstrap';

const NODES = 4;

describe.runIf(process.env.DATABASE_URL)('nodes starting at once on one PostgreSQL database', () => {
  let temporary: TemporaryDatabase;
  const nodes: Database[] = [];

  afterAll(async () => {
    for (const node of nodes) await node.close();
    await temporary?.drop();
  });

  it(`applies each migration once and makes one first administrator, with ${NODES} nodes starting together`, async () => {
    temporary = await temporaryDatabase('postgres', { prefix: 'keyward_nodes' });
    for (let i = 0; i < NODES; i++) nodes.push(temporary.open(2));
    await Promise.all(nodes.map((node) => migrateDatabase(node)));
    const applied = await queryRows<{ hash: string }>(nodes[0]!.db, sql`select hash from drizzle.__drizzle_migrations`);
    expect(applied).toHaveLength(shippedMigrations().length);
    expect(new Set(applied.map((row) => row.hash)).size).toBe(applied.length);

    const results = await Promise.all(nodes.map((node) => bootstrapFirstAdmin(node.db, { email: 'first@example.com', password: 'first-admin-password' })));
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const { db } = nodes[0]!;
    expect([(await db.select().from(users)).length, (await db.select().from(projects)).length, (await db.select().from(memberships)).length]).toEqual([1, 1, 1]);
  }, 120_000);
});
