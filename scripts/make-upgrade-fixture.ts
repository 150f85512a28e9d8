/**
 * `npm run db:fixture [-- --name <name>]`: makes this version's upgrade fixture in
 * db/fixtures/<name>/ (default: today's date, UTC), for every later version to restore and migrate
 * (lib/backup/upgrade.test.ts). For each driver it migrates a fresh database to this version's
 * newest migration, fills it (lib/testing/populate.ts), records its fingerprint and keys in a
 * manifest and archives it: PGlite's data dir tarball, and a plain pg_dump of a temporary
 * database on the local PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432; pg_dump on PATH).
 * Refuses to touch a fixture that exists: an old fixture is never edited.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { fingerprint } from '@/lib/backup/fingerprint';
import { ARCHIVES, fixturesFolder, type FixtureManifest } from '@/lib/backup/fixtures';
import { shippedMigrations } from '@/lib/backup/migrations';
import { dumpDatabase, findTool } from '@/lib/backup/postgres';
import { populate } from '@/lib/testing/populate';
import { temporaryDatabase, type Driver } from '@/lib/testing/temporary-database';

const { values } = parseArgs({ options: { name: { type: 'string', default: new Date().toISOString().slice(0, 10) } } });
const name = values.name!;

async function writeArchive(driver: Driver, database: Database, file: string): Promise<void> {
  if (driver === 'pglite') {
    writeFileSync(file, await database.snapshot!());
    return;
  }
  const out = createWriteStream(file);
  await dumpDatabase(database.url!, 'plain', out);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function make(driver: Driver, dir: string, secrets: FixtureManifest['secrets']): Promise<void> {
  const home = mkdtempSync(path.join(tmpdir(), 'keyward-fixture-'));
  const temporary = await temporaryDatabase(driver, { prefix: 'keyward_fixture', dataDir: home });
  const database = temporary.open(4);
  try {
    await migrateDatabase(database);
    const populated = await populate(database.db, secrets.password);
    const [{ version }] = (await queryRows<{ version: string }>(database.db, sql`select version()`)) as [{ version: string }];
    const signer = populated.secrets.find((key) => key.label === 'webhook key')!;
    const migrations = shippedMigrations();
    const manifest: FixtureManifest = {
      made: new Date().toISOString(),
      keyward: (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
      migration: migrations.at(-1)!,
      migrations: migrations.length,
      engine: version,
      secrets,
      users: ['owner@acme.example', 'mia@acme.example'],
      verifiedAt: populated.at,
      keys: populated.secrets,
      webhookKey: { project: 'acme', secret: signer.secret },
      fingerprint: await fingerprint(database.db),
    };
    await writeArchive(driver, database, path.join(dir, ARCHIVES[driver]));
    writeFileSync(path.join(dir, `${driver}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    const rows = Object.values(manifest.fingerprint.tables).reduce((sum, table) => sum + table.rows, 0);
    console.log(`${driver}: ${rows} rows in ${Object.keys(manifest.fingerprint.tables).length} tables, ${manifest.fingerprint.audit.events} audit events (${version.split(' on ')[0]}).`);
  } finally {
    await database.close();
    await temporary.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`--name may hold letters, digits, ".", "_" and "-" only, got "${name}".`);
  const dir = path.join(fixturesFolder, name);
  if (existsSync(dir)) throw new Error(`${dir} exists: a fixture is never edited. Choose another --name.`);
  findTool('pg_dump');
  // Fixture-only secrets, written into its manifest: the fixture's ciphertexts and password hashes
  // are made with them, and a later version checks that they still decrypt and verify.
  const secrets = { encryptionKey: randomBytes(32).toString('base64'), password: `fixture-${randomBytes(9).toString('base64url')}` };
  process.env.KEYWARD_ENCRYPTION_KEY = secrets.encryptionKey;
  process.env.AUTH_SECRET = randomBytes(32).toString('base64');
  mkdirSync(dir, { recursive: true });
  try {
    for (const driver of ['pglite', 'postgres'] as const) await make(driver, dir, secrets);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  console.log(`Made ${dir}. Add a line for it to db/fixtures/README.md and commit it; never edit it afterwards.`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`db:fixture failed: ${error.message}`);
    process.exit(1);
  },
);
