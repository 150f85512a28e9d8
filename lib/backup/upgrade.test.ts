/**
 * Upgrades keep every row: each fixture in db/fixtures (a populated database as an earlier version
 * left it) is restored into a fresh place, migrated by this version's code, and must still hold
 * what its manifest recorded — every table's rows at the fixture's columns, the audit log in its
 * order, keys that verify as they did, ciphertexts that decrypt, passwords that verify. Rows a
 * migration adds are allowed (they are named in a failure's message). A schema change that loses or
 * alters recorded data fails here; never edit a fixture to make it pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { apiKeys, apiKeySecrets, projects } from '@/db/schema';
import { verifyPassword } from '@/lib/auth/password';
import { decryptSecret, encryptionKeyBytes } from '@/lib/keys/crypto';
import { activeCatalogue } from '@/lib/permissions/load';
import { testDrivers } from '@/lib/testing/databases';
import { temporaryDatabase } from '@/lib/testing/temporary-database';
import { findUserByEmail } from '@/lib/users/users';
import { verifyKey } from '@/lib/verify/verify';
import { compareFingerprints, fingerprint } from './fingerprint';
import { listFixtures, type Fixture } from './fixtures';
import { appliedMigrations, shippedMigrations } from './migrations';
import { restoreDataDir } from './pglite';
import { restoreDatabase } from './postgres';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The fixture restored into a fresh place, as `keyward restore` does it, and opened. */
async function restored(driver: 'pglite' | 'postgres', fixture: Fixture): Promise<Database> {
  if (driver === 'pglite') {
    const home = mkdtempSync(path.join(tmpdir(), 'kw-upgrade-'));
    cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
    await restoreDataDir(fixture.archive, home);
    const database = openDatabase({ driver, dataDir: path.join(home, 'pglite') });
    cleanups.push(() => database.close());
    return database;
  }
  const temporary = await temporaryDatabase(driver, { prefix: 'keyward_upgrade' });
  cleanups.push(() => temporary.drop());
  await restoreDatabase(temporary.url!, fixture.archive, 'pg_dump plain');
  const database = temporary.open(2);
  cleanups.push(() => database.close());
  return database;
}

describe.each(testDrivers())('upgrade fixtures [%s]', (driver) => {
  const fixtures = listFixtures(driver);

  it('has at least one fixture, made at a migration this version ships', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const { manifest } of fixtures) expect(shippedMigrations()).toContain(manifest.migration);
  });

  describe.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', (_, fixture) => {
    const { manifest } = fixture;
    let database: Database;

    it('restores, then migrates with this version to its newest migration', async () => {
      database = await restored(driver, fixture);
      expect(await appliedMigrations(database.db)).toBe(manifest.migrations);
      await migrateDatabase(database);
      expect(await appliedMigrations(database.db)).toBe(shippedMigrations().length);
    }, 120_000);

    it('keeps every row of every table, and the audit log in its order', async () => {
      const columns = Object.fromEntries(Object.entries(manifest.fingerprint.tables).map(([table, recorded]) => [table, recorded.columns]));
      const found = await fingerprint(database.db, columns);
      const { lost, added } = compareFingerprints(manifest.fingerprint, found);
      expect(lost, `added by the migrations: ${added.join('; ') || 'nothing'}`).toEqual([]);
      expect(found.audit.events).toBeGreaterThan(10);
    });

    it('verifies every key as it did when the fixture was made', async () => {
      const catalogue = activeCatalogue();
      for (const key of manifest.keys) {
        const answer = await verifyKey(database.db, catalogue, key.secret, { require: key.require, now: new Date(manifest.verifiedAt) });
        // Every field the answer had then, unchanged; fields added to the answer since (such as
        // INSUFFICIENT_PERMISSIONS' `missing`) are not in the fixture, which is never edited.
        const recorded = Object.fromEntries(Object.keys(key.expected).map((field) => [field, answer[field as keyof typeof answer]]));
        expect({ label: key.label, answer: recorded }).toEqual({ label: key.label, answer: key.expected });
      }
      expect(new Set(manifest.keys.map((key) => key.expected.code))).toEqual(new Set(['VALID', 'INSUFFICIENT_PERMISSIONS', 'NOT_FOUND']));
    });

    it("still decrypts the webhook key and verifies the users' passwords", async () => {
      const [signer] = await database.db
        .select({ publicId: apiKeys.publicId, ciphertext: apiKeySecrets.ciphertext })
        .from(apiKeys)
        .innerJoin(apiKeySecrets, eq(apiKeySecrets.apiKeyId, apiKeys.id))
        .innerJoin(projects, eq(projects.id, apiKeys.projectId))
        .where(and(eq(projects.slug, manifest.webhookKey.project), eq(apiKeys.isWebhookKey, true), isNull(apiKeySecrets.expiresAt)));
      expect(decryptSecret(signer!.ciphertext, signer!.publicId, encryptionKeyBytes(manifest.secrets.encryptionKey))).toBe(manifest.webhookKey.secret);
      for (const email of manifest.users) {
        expect(await verifyPassword((await findUserByEmail(database.db, email))?.passwordHash, manifest.secrets.password)).toBe(true);
      }
    }, 60_000);
  });
});

describe('the fingerprint', () => {
  it('tells rows a migration added from rows lost or changed, and the audit log out of order', async () => {
    const database = openDatabase({ driver: 'pglite' });
    try {
      await migrateDatabase(database);
      const { db } = database;
      const [one] = await db.insert(projects).values({ slug: 'one', name: 'One' }).returning();
      const recorded = await fingerprint(db);
      await db.insert(projects).values({ slug: 'two', name: 'Two' });
      expect(compareFingerprints(recorded, await fingerprint(db))).toEqual({ lost: [], added: ['projects: 1 rows that were not recorded'] });
      await db.update(projects).set({ name: 'Renamed' }).where(eq(projects.id, one!.id));
      // The renamed row is gone as it was, and is there as a row that was not recorded.
      expect(compareFingerprints(recorded, await fingerprint(db))).toEqual({
        lost: ['projects: 1 of the 1 recorded rows are gone or changed'],
        added: ['projects: 2 rows that were not recorded'],
      });
      const audit = (digests: string[]) => ({ tables: {}, audit: { events: digests.length, digests } });
      expect(compareFingerprints(audit(['a', 'b', 'c']), audit(['a', 'x', 'b', 'c']))).toEqual({ lost: [], added: ['audit log: 1 events that were not recorded'] });
      expect(compareFingerprints(audit(['a', 'b', 'c']), audit(['a', 'c', 'b'])).lost).toEqual(['audit log: the recorded events are in another order']);
      expect(compareFingerprints(audit(['a', 'b', 'c']), audit(['a', 'c'])).lost).toEqual(['audit log: 1 of the 3 recorded events are gone or changed']);
    } finally {
      await database.close();
    }
  }, 60_000);
});
