/**
 * Upgrade fixtures (db/fixtures/<name>/): a populated database as one version of Keyward left it,
 * for every later version to restore and migrate (lib/backup/upgrade.test.ts). Per driver, an
 * archive — PGlite's data dir tarball (`pglite.tar.gz`) or a plain pg_dump (`postgres.sql`) — and
 * a manifest beside it (`pglite.json`, `postgres.json`) recording what the database held when it
 * was made: its fingerprint (every table's columns, row count and content hash, and the audit log
 * in order), the keys' secrets with the answer each got, and the fixture-only secrets it was made
 * with. A fixture is never edited once committed: each release adds its own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '@/db/client';
import type { Fingerprint } from './fingerprint';

export const fixturesFolder = path.join(process.cwd(), 'db', 'fixtures');

export type FixtureManifest = {
  /** When it was made, and by which version of Keyward, at which migration. */
  made: string;
  keyward: string;
  migration: string;
  migrations: number;
  /** `select version()` of the database it was made on. */
  engine: string;
  /** Made for the fixture alone: they protect nothing but it. */
  secrets: { encryptionKey: string; password: string };
  /** Every user was given `secrets.password`; these emails sign in with it. */
  users: string[];
  /** The time verification was judged at, and each key's secret with its answer then. */
  verifiedAt: string;
  keys: { keyId: string; label: string; secret: string; require?: Record<string, string>; expected: Record<string, unknown> }[];
  /** The webhook key of the project `acme`, for checking that ciphertexts still decrypt. */
  webhookKey: { project: string; secret: string };
  fingerprint: Fingerprint;
};

type Driver = Database['driver'];

export const ARCHIVES: Record<Driver, string> = { pglite: 'pglite.tar.gz', postgres: 'postgres.sql' };

export type Fixture = { name: string; dir: string; archive: string; manifest: FixtureManifest };

/** The fixtures checked in for `driver`, oldest first (names sort by date). */
export function listFixtures(driver: Driver, folder = fixturesFolder): Fixture[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = path.join(folder, name);
      const manifest = JSON.parse(readFileSync(path.join(dir, `${driver}.json`), 'utf8')) as FixtureManifest;
      return { name, dir, archive: path.join(dir, ARCHIVES[driver]), manifest };
    });
}
