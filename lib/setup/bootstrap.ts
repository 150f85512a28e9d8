/**
 * First start on an empty database: creates the first administrator and a default project.
 * The password comes from KEYWARD_ADMIN_PASSWORD, or is generated and returned so the caller
 * prints it once; this module never logs it.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { createProject, setMembership } from '@/lib/projects/projects';
import { createUser } from '@/lib/users/users';

export const DEFAULT_ADMIN_EMAIL = 'admin@keyward.local';
export const DEFAULT_PROJECT = { slug: 'default', name: 'Default project' };

// Any constant shared by every node; only one of them may bootstrap an empty database.
const BOOTSTRAP_LOCK = 7_150_202;

export type BootstrapResult =
  | { created: false }
  | { created: true; email: string; projectSlug: string; generatedPassword?: string };

export async function bootstrapFirstAdmin(
  db: Db,
  env: { email?: string; password?: string } = {
    email: process.env.KEYWARD_ADMIN_EMAIL,
    password: process.env.KEYWARD_ADMIN_PASSWORD,
  },
): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
    const [existing] = await tx.select({ id: users.id }).from(users).limit(1);
    if (existing) return { created: false };

    const email = env.email || DEFAULT_ADMIN_EMAIL;
    // 18 random bytes: 144 bits, 24 base64url characters.
    const generatedPassword = env.password ? undefined : randomBytes(18).toString('base64url');
    const admin = await createUser(tx, { email, name: 'Administrator', password: env.password || generatedPassword });
    const project = await createProject(tx, DEFAULT_PROJECT);
    await setMembership(tx, project.id, admin.id, 'admin');
    return { created: true, email: admin.email, projectSlug: project.slug, generatedPassword };
  });
}
