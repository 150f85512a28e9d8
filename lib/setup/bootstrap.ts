/**
 * First start on an empty database: creates the first administrator and a default project.
 * The password comes from KEYWARD_ADMIN_PASSWORD, or is generated and handed to the operator
 * once: on the terminal when there is one, otherwise in a file only its owner can read, so that
 * it never lands in a captured log.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

/** In the data dir: the generated password, when there is no terminal to show it on. */
export const GENERATED_PASSWORD_FILE = 'first-admin-password';

/**
 * Tells the operator about a newly created first administrator through `log`. A generated
 * password is printed only when stdout is a terminal; otherwise (a service manager, a container,
 * anything that keeps the output) it goes to a mode-0600 file in `dataDir` and only the path is
 * printed.
 */
export function announceFirstAdmin(
  result: Extract<BootstrapResult, { created: true }>,
  log: (line: string) => void,
  { tty, dataDir }: { tty: boolean; dataDir: string },
): void {
  log(`Keyward: created the first administrator ${result.email} and the project "${result.projectSlug}".`);
  const password = result.generatedPassword;
  if (!password) return;
  const change = `Keyward: change it with "npm run keyward -- user set-password ${result.email} --password-stdin" (it works while the server runs).`;
  if (tty) {
    // The one place a password is printed: a generated one, shown once on the operator's terminal.
    log(`Keyward: its generated password is shown only now: ${password}\n${change}`);
    return;
  }
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, GENERATED_PASSWORD_FILE);
  // A file left by an earlier database may have other permissions: replace it. 'wx' refuses to
  // follow anything put in its place meanwhile.
  rmSync(file, { force: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  log(`Keyward: its generated password is in ${file} (readable only by this user); delete the file once you have signed in.\n${change}`);
}
