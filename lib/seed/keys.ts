/**
 * Fills a project with many keys, for trying the console (`npm run keyward -- seed`) and for
 * bench/console.ts. Keys are made in this process (the real format: a CSPRNG body, CRC32
 * checksum, SHA-256 hash under the unique index) and written in batches: each batch is one
 * INSERT of thousands of rows fed by json_to_recordset, plus their secrets and the project's key
 * count, in one transaction. The secrets themselves are thrown away (unless the caller asks for
 * them with `onSecret`, as bench:usage does to verify its keys) and the ciphertext column holds a
 * marker that no decryption accepts: seeded keys cannot sign webhooks. Never used by the server.
 */
import { performance } from 'node:perf_hooks';
import { sql, type SQLChunk } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets, projectKeyCounts } from '@/db/schema';
import { hashKey } from '@/lib/keys/crypto';
import { displayParts, generateKey, generatePublicId } from '@/lib/keys/format';
import { levelsOf, resourcesOf, type Catalogue } from '@/lib/permissions/catalogue';
import type { Grants } from '@/lib/permissions/grants';
import { activeCatalogue } from '@/lib/permissions/load';
import { createProject, findProjectBySlug, setMembership, type Project } from '@/lib/projects/projects';
import { createUser, findUserByEmail } from '@/lib/users/users';
import { pick, seedKeyName } from './names';

/** Not the `v1.…` format decryptSecret reads, so a seeded key's "secret" fails loudly. */
export const SEEDED_CIPHERTEXT = 'seeded:no-secret';
export const DEFAULT_BATCH_SIZE = 10_000;

// ---------------------------------------------------------------------------------------------
// Rows

/** A seeded key, by its fields in the schema, and its secret's hash. */
type SeedRow = Required<Pick<typeof apiKeys.$inferInsert, 'publicId' | 'name' | 'start' | 'last4' | 'permissions' | 'createdAt' | 'lastUsedAt' | 'expiresAt'>> & {
  hash: string;
};

const DAY = 86_400_000;
const SEED_SPAN_MS = 730 * DAY;

/** Some level the catalogue allows on each resource: a plausible restricted key. */
function randomGrants(catalogue: Catalogue): Grants {
  const grants: Grants = {};
  for (const resource of resourcesOf(catalogue)) grants[resource.id] = pick(levelsOf(resource));
  return grants;
}

/** `createdAt` in ms; about two in three keys have been used since, one in twenty expires. */
function seedRow(catalogue: Catalogue, key: string, name: string, createdAt: number, now: number): SeedRow {
  const lastUsedAt = Math.random() < 0.65 ? createdAt + Math.random() * (now - createdAt) : null;
  const expiresAt = Math.random() < 0.05 ? now + (1 + Math.random() * 364) * DAY : null;
  return {
    publicId: generatePublicId(),
    name,
    ...displayParts(key),
    hash: hashKey(key),
    permissions: Math.random() < 0.3 ? randomGrants(catalogue) : null,
    createdAt: new Date(createdAt),
    lastUsedAt: lastUsedAt === null ? null : new Date(lastUsedAt),
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
  };
}

// ---------------------------------------------------------------------------------------------
// One batch: a single statement, its columns and types taken from the schema

// Each field of a batch's JSON rows, and the column it fills.
const KEY_COLUMNS: Record<Exclude<keyof SeedRow, 'hash'>, PgColumn> = {
  publicId: apiKeys.publicId,
  name: apiKeys.name,
  start: apiKeys.start,
  last4: apiKeys.last4,
  permissions: apiKeys.permissions,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
};
const INPUT_COLUMNS: Record<keyof SeedRow, PgColumn> = { ...KEY_COLUMNS, hash: apiKeySecrets.hash };

const column = (of: PgColumn) => sql.identifier(of.name);
const field = (name: string) => sql.identifier(name);
const list = (parts: SQLChunk[]) => sql.join(parts, sql`, `);
const keyFields = Object.keys(KEY_COLUMNS) as (keyof typeof KEY_COLUMNS)[];

/** json_to_recordset's row type: each field as the type of its column. */
const inputShape = list(Object.entries(INPUT_COLUMNS).map(([name, of]) => sql`${field(name)} ${sql.raw(of.getSQLType())}`));

/** One transaction: the keys, their secrets' hashes, and the project's key count. */
async function insertBatch(db: Db, projectId: string, createdBy: string | null, rows: SeedRow[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      with input as (
        select * from json_to_recordset(${JSON.stringify(rows)}::json) as r(${inputShape})
      ), inserted as (
        insert into ${apiKeys} (${list(keyFields.map((name) => column(KEY_COLUMNS[name])))}, ${column(apiKeys.projectId)}, ${column(apiKeys.createdBy)})
        select ${list(keyFields.map(field))}, ${projectId}::uuid, ${createdBy}::uuid
        from input
        returning ${column(apiKeys.id)}, ${column(apiKeys.publicId)}, ${column(apiKeys.createdAt)}
      )
      insert into ${apiKeySecrets} (${column(apiKeySecrets.apiKeyId)}, ${column(apiKeySecrets.hash)}, ${column(apiKeySecrets.ciphertext)}, ${column(apiKeySecrets.createdAt)})
      select inserted.${column(apiKeys.id)}, input.${field('hash')}, ${SEEDED_CIPHERTEXT}, inserted.${column(apiKeys.createdAt)}
      from inserted join input on input.${field('publicId')} = inserted.${column(apiKeys.publicId)}`);
    await tx
      .insert(projectKeyCounts)
      .values({ projectId, keyCount: rows.length })
      .onConflictDoUpdate({ target: projectKeyCounts.projectId, set: { keyCount: sql`${projectKeyCounts.keyCount} + ${rows.length}` } });
  });
}

// ---------------------------------------------------------------------------------------------
// Entry points

export type EnsuredProject = { project: Project; adminId: string | null; adminCreated: boolean };

/** The project with this slug, created if missing; with `adminEmail`, that user is made its admin. */
export async function ensureProject(db: Db, slug: string, adminEmail?: string): Promise<EnsuredProject> {
  const project = (await findProjectBySlug(db, slug)) ?? (await createProject(db, { slug }));
  if (!adminEmail) return { project, adminId: null, adminCreated: false };
  const existing = await findUserByEmail(db, adminEmail);
  // A new user has no password until `npm run keyward -- user set-password`.
  const user = existing ?? (await createUser(db, { email: adminEmail }));
  await setMembership(db, project.id, user.id, 'admin');
  return { project, adminId: user.id, adminCreated: !existing };
}

export type SeedKeysOptions = {
  projectId: string;
  count: number;
  createdBy?: string | null;
  batchSize?: number;
  /** Batches written at once, each in its own transaction and connection (PGlite runs them in turn). */
  concurrency?: number;
  catalogue?: Catalogue;
  /** The name of the run's index-th key; varied realistic names by default. */
  name?: (index: number) => string;
  /** Hears each key's secret and its index in the run, before its batch is written. */
  onSecret?: (secret: string, index: number) => void;
  /** Called after each batch with the keys written so far. */
  onProgress?: (written: number, elapsedMs: number) => void;
};

/** Adds `count` keys to the project; returns the elapsed milliseconds. */
export async function seedKeys(db: Db, options: SeedKeysOptions): Promise<number> {
  const { projectId, createdBy = null, batchSize = DEFAULT_BATCH_SIZE, concurrency = 2, catalogue = activeCatalogue(), onProgress, onSecret } = options;
  const name = options.name ?? seedKeyName;
  const started = performance.now();
  const now = Date.now();
  // Creation times rise through the run over the last two years, as keys made one by one would:
  // the created-at index then grows at one edge instead of everywhere at once.
  const step = SEED_SPAN_MS / options.count;
  const createdAt = (i: number) => now - SEED_SPAN_MS + (i + Math.random()) * step;
  // While the database writes one batch, this process makes the next one.
  const inFlight = new Set<Promise<void>>();
  let written = 0;
  try {
    for (let made = 0; made < options.count; made += batchSize) {
      const first = made;
      const size = Math.min(batchSize, options.count - first);
      const rows = Array.from({ length: size }, (_, i) => {
        const secret = generateKey();
        onSecret?.(secret, first + i);
        return seedRow(catalogue, secret, name(first + i), createdAt(first + i), now);
      });
      const batch: Promise<void> = insertBatch(db, projectId, createdBy, rows).then(() => {
        inFlight.delete(batch);
        written += size;
        onProgress?.(written, performance.now() - started);
      });
      inFlight.add(batch);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (error) {
    // Let the other batch finish or fail before reporting the first failure.
    await Promise.allSettled(inFlight);
    throw error;
  }
  return performance.now() - started;
}

/** Fresh planner statistics (PGlite has no autovacuum) and a visibility map for index-only scans. */
export async function analyzeKeys(db: Db): Promise<void> {
  await db.execute(sql`vacuum (analyze) ${apiKeys}, ${apiKeySecrets}`);
}
