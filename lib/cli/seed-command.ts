/**
 * `keyward seed` (and `npm run db:seed`): fills a project with keys through lib/seed, to try the
 * console at scale. It writes for minutes and reports as it goes, so it runs only in the CLI
 * process on a database of its own, never inside a server through the operator socket.
 */
import { performance } from 'node:perf_hooks';
import { count, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { apiKeys, projectKeyCounts } from '@/db/schema';
import { parseInput } from '@/lib/errors';
import { projectSlugSchema } from '@/lib/projects/schemas';
import { analyzeKeys, DEFAULT_BATCH_SIZE, ensureProject, seedKeys } from '@/lib/seed/keys';
import { emailSchema } from '@/lib/users/schemas';

const positiveWholeNumber = z.coerce.number().int('Must be a positive whole number.').positive('Must be a positive whole number.');

export const seedInput = z.object({
  project: projectSlugSchema,
  keys: positiveWholeNumber,
  admin: emailSchema.optional(),
  batch: positiveWholeNumber.default(DEFAULT_BATCH_SIZE),
});

const fmt = (n: number) => n.toLocaleString('en-US');

export type SeedOutcome = { message: string; warning?: string };

/** Migrates, seeds and analyzes; `print` shows progress as it happens, the outcome is the last word. */
export async function seed(database: Database, input: z.input<typeof seedInput>, print: (line: string) => void): Promise<SeedOutcome> {
  const { project: slug, keys: total, admin, batch: batchSize } = parseInput(seedInput, input);
  print(`Seeding ${database.driver === 'postgres' ? 'PostgreSQL' : `PGlite in ${database.dataDir}`}…`);
  await migrateDatabase(database);
  const { db } = database;
  const { project, adminId, adminCreated } = await ensureProject(db, slug, admin);
  if (adminCreated) print(`Created ${admin} without a password: npm run keyward -- user set-password ${admin} --password-stdin`);
  print(`Project "${project.slug}"${admin ? `, administrator ${admin}` : ''}: adding ${fmt(total)} keys in batches of ${fmt(batchSize)}.`);

  let lastReport = 0;
  const elapsed = await seedKeys(db, {
    projectId: project.id,
    count: total,
    createdBy: adminId,
    batchSize,
    onProgress: (written, ms) => {
      if (written < total && ms - lastReport < 2000) return;
      lastReport = ms;
      print(`  ${fmt(written)} / ${fmt(total)} keys  ${(ms / 1000).toFixed(1)} s  (${fmt(Math.round(written / (ms / 1000)))} keys/s)`);
    },
  });
  const analyzeStarted = performance.now();
  await analyzeKeys(db);
  const analyzeMs = performance.now() - analyzeStarted;

  const [actual] = await db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.projectId, project.id));
  const [counted] = await db.select({ n: projectKeyCounts.keyCount }).from(projectKeyCounts).where(eq(projectKeyCounts.projectId, project.id));
  return {
    message: `Done: ${fmt(total)} keys in ${(elapsed / 1000).toFixed(1)} s, vacuum + analyze ${(analyzeMs / 1000).toFixed(1)} s. "${project.slug}" now holds ${fmt(actual?.n ?? 0)} keys.`,
    warning: actual?.n === counted?.n ? undefined : `project_key_counts says ${counted?.n ?? 'nothing'} for this project: it was already off before this run.`,
  };
}
