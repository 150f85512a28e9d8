/**
 * Fills a project with many keys, for trying the console and for bench/console.ts:
 *
 *   npm run db:seed -- --project demo --keys 1000000 [--admin you@example.com] [--batch 10000]
 *
 * Works on PostgreSQL (DATABASE_URL) and on the embedded PGlite database (KEYWARD_DATA_DIR),
 * applies pending migrations, creates the project (and the admin's membership) if missing, and
 * ADDS the given number of keys — run it again to grow the same project.
 *
 * Keys are made in this process (the real format: a CSPRNG body, CRC32 checksum, SHA-256 hash
 * under the unique index) and written in batches: each batch is one INSERT of thousands of rows
 * fed by json_to_recordset, plus their secrets and the project's key count, in one transaction.
 * The secrets themselves are thrown away and the ciphertext column holds a marker that no
 * decryption accepts: seeded keys never verify and cannot sign webhooks. Create a key in the
 * console when you need a working one.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { count, eq, sql } from 'drizzle-orm';
import { openDatabase, databaseOptionsFromEnv, type Db } from '@/db/client';
import { dataDirHolder, DataDirInUseError } from '@/db/data-dir-lock';
import { migrateDatabase } from '@/db/migrate';
import { apiKeys, projectKeyCounts } from '@/db/schema';
import { hashKey } from '@/lib/keys/crypto';
import { displayParts, generateKey, generatePublicId } from '@/lib/keys/format';
import { levelsOf, resourcesOf, type Catalogue } from '@/lib/permissions/catalogue';
import type { Grants } from '@/lib/permissions/grants';
import { activeCatalogue } from '@/lib/permissions/load';
import { createProject, findProjectBySlug, setMembership, type Project } from '@/lib/projects/projects';
import { createUser, findUserByEmail } from '@/lib/users/users';

/** Not the `v1.…` format decryptSecret reads, so a seeded key's "secret" fails loudly. */
export const SEEDED_CIPHERTEXT = 'seeded:no-secret';
export const DEFAULT_BATCH_SIZE = 10_000;

// ---------------------------------------------------------------------------------------------
// Names: varied enough that "Search keys" finds some keys and not others.

const ENVIRONMENTS = ['Production', 'Staging', 'Development', 'QA', 'Sandbox', 'Preview', 'Test', 'Local'];
const SERVICES = [
  'billing', 'checkout', 'payments', 'invoices', 'CRM sync', 'analytics', 'search', 'notifications',
  'mobile app', 'web app', 'backend', 'worker', 'cron', 'data pipeline', 'reporting', 'support desk',
  'marketing site', 'partner portal', 'inventory', 'shipping', 'gateway', 'ledger', 'recommendations',
  'importer', 'exporter', 'warehouse sync', 'call center', 'voice agent', 'SMS bot', 'knowledge base',
  'onboarding', 'fraud check', 'ETL', 'dashboard', 'Zapier', 'Make', 'n8n', 'HubSpot', 'Salesforce', 'Slack bot',
];
const SUFFIXES = ['', '', '', 'key', 'integration', 'service', 'v2', 'read-only', 'backup', 'CI', 'cron job', 'temp'];
const PEOPLE = ['Ana', 'Ben', 'Chen', 'Dana', 'Elif', 'Farah', 'Goran', 'Hana', 'Ivan', 'Jon', 'Kemi', 'Luca', 'Mei', 'Nia', 'Omar', 'Priya'];
const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-south-1', 'sa-east-1'];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** A name such as "Production checkout v2", "billing-staging-417" or "Mei's Zapier key". */
function seedKeyName(): string {
  const env = pick(ENVIRONMENTS);
  const service = pick(SERVICES);
  const roll = Math.random();
  if (roll < 0.55) return [env, service, pick(SUFFIXES)].filter(Boolean).join(' ');
  if (roll < 0.75) return `${service.toLowerCase().replace(/ /g, '-')}-${env.toLowerCase()}-${Math.floor(Math.random() * 1000)}`;
  if (roll < 0.9) return `${pick(PEOPLE)}'s ${service} key`;
  return `${env} ${service} (${pick(REGIONS)})`;
}

// ---------------------------------------------------------------------------------------------
// Rows

type SeedRow = {
  public_id: string;
  name: string;
  start: string;
  last4: string;
  hash: string;
  permissions: Grants | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
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
function seedRow(catalogue: Catalogue, name: string, createdAt: number, now: number): SeedRow {
  const key = generateKey();
  const lastUsedAt = Math.random() < 0.65 ? createdAt + Math.random() * (now - createdAt) : null;
  const expiresAt = Math.random() < 0.05 ? now + (1 + Math.random() * 364) * DAY : null;
  return {
    public_id: generatePublicId(),
    name,
    ...displayParts(key),
    hash: hashKey(key),
    permissions: Math.random() < 0.3 ? randomGrants(catalogue) : null,
    created_at: new Date(createdAt).toISOString(),
    last_used_at: lastUsedAt === null ? null : new Date(lastUsedAt).toISOString(),
    expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString(),
  };
}

/** One transaction: the keys, their secrets' hashes, and the project's key count. */
async function insertBatch(db: Db, projectId: string, createdBy: string | null, rows: SeedRow[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      with input as (
        select * from json_to_recordset(${JSON.stringify(rows)}::json) as r(
          public_id text, name text, start text, last4 text, hash text, permissions jsonb,
          created_at timestamptz, last_used_at timestamptz, expires_at timestamptz)
      ), inserted as (
        insert into api_keys (public_id, project_id, name, start, last4, permissions, created_by, created_at, last_used_at, expires_at)
        select public_id, ${projectId}::uuid, name, start, last4, permissions, ${createdBy}::uuid, created_at, last_used_at, expires_at
        from input
        returning id, public_id, created_at
      )
      insert into api_key_secrets (api_key_id, hash, ciphertext, created_at)
      select inserted.id, input.hash, ${SEEDED_CIPHERTEXT}, inserted.created_at
      from inserted join input using (public_id)`);
    await tx
      .insert(projectKeyCounts)
      .values({ projectId, keyCount: rows.length })
      .onConflictDoUpdate({ target: projectKeyCounts.projectId, set: { keyCount: sql`${projectKeyCounts.keyCount} + ${rows.length}` } });
  });
}

// ---------------------------------------------------------------------------------------------
// The library entry points (bench/console.ts uses them too)

type EnsuredProject = { project: Project; adminId: string | null; adminCreated: boolean };

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
  /** Called after each batch with the keys written so far. */
  onProgress?: (written: number, elapsedMs: number) => void;
};

/** Adds `count` keys to the project; returns the elapsed milliseconds. */
export async function seedKeys(db: Db, options: SeedKeysOptions): Promise<number> {
  const { projectId, createdBy = null, batchSize = DEFAULT_BATCH_SIZE, concurrency = 2, catalogue = activeCatalogue(), onProgress } = options;
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
      const rows = Array.from({ length: size }, (_, i) => seedRow(catalogue, name(first + i), createdAt(first + i), now));
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
  await db.execute(sql`vacuum (analyze) api_keys, api_key_secrets`);
}

// ---------------------------------------------------------------------------------------------
// The command line

const usage = `Usage: npm run db:seed -- --project <slug> --keys <n> [--admin <email>] [--batch <n>]

Adds <n> keys to the project <slug> (created if missing) on PostgreSQL when DATABASE_URL is
set, otherwise in the embedded database in KEYWARD_DATA_DIR (default .data). --admin makes that
user (created without a password if missing) an administrator of the project. Seeded keys have
no usable secret: they list, search and sort like any key but never verify.`;

function positiveInt(name: string, raw: string | undefined, fallback?: number): number {
  if (raw === undefined && fallback !== undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number${raw === undefined ? '' : `, got "${raw}"`}.`);
  return value;
}

const fmt = (n: number) => n.toLocaleString('en-US');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { project: { type: 'string' }, keys: { type: 'string' }, admin: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.project) throw new Error(`--project is required.\n\n${usage}`);
  const total = positiveInt('keys', values.keys);
  const batchSize = positiveInt('batch', values.batch, DEFAULT_BATCH_SIZE);

  const options = databaseOptionsFromEnv();
  if (options.driver === 'pglite' && options.dataDir) {
    // Refuse before touching the files: a running server owns them.
    const holder = dataDirHolder(path.dirname(options.dataDir));
    if (holder !== undefined) throw new DataDirInUseError(path.dirname(options.dataDir), holder);
  }
  const database = openDatabase(options);
  try {
    console.log(`Seeding ${database.driver === 'postgres' ? 'PostgreSQL' : `PGlite in ${database.dataDir}`}…`);
    await migrateDatabase(database);
    const { db } = database;
    const { project, adminId, adminCreated } = await ensureProject(db, values.project, values.admin);
    if (adminCreated) {
      console.log(`Created ${values.admin} without a password: npm run keyward -- user set-password ${values.admin} --password-stdin`);
    }
    console.log(`Project "${project.slug}"${values.admin ? `, administrator ${values.admin}` : ''}: adding ${fmt(total)} keys in batches of ${fmt(batchSize)}.`);

    let lastReport = 0;
    const elapsed = await seedKeys(db, {
      projectId: project.id,
      count: total,
      createdBy: adminId,
      batchSize,
      onProgress: (written, ms) => {
        if (written < total && ms - lastReport < 2000) return;
        lastReport = ms;
        console.log(`  ${fmt(written)} / ${fmt(total)} keys  ${(ms / 1000).toFixed(1)} s  (${fmt(Math.round(written / (ms / 1000)))} keys/s)`);
      },
    });
    const analyzeStarted = performance.now();
    await analyzeKeys(db);
    const analyzeMs = performance.now() - analyzeStarted;

    const [actual] = await db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.projectId, project.id));
    const [counted] = await db.select({ n: projectKeyCounts.keyCount }).from(projectKeyCounts).where(eq(projectKeyCounts.projectId, project.id));
    console.log(
      `Done: ${fmt(total)} keys in ${(elapsed / 1000).toFixed(1)} s, vacuum + analyze ${(analyzeMs / 1000).toFixed(1)} s. ` +
        `"${project.slug}" now holds ${fmt(actual?.n ?? 0)} keys.`,
    );
    if (actual?.n !== counted?.n) {
      console.warn(`Warning: project_key_counts says ${counted?.n ?? 'nothing'} for this project: it was already off before this run.`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
