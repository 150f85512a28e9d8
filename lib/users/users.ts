/**
 * Users and their passwords. Emails are stored lower-cased; a duplicate is a conflict raised
 * by the database's unique index, not by a prior read. Never returns a password hash to callers
 * outside lib/auth. Setting a password ends the user's other sessions and is audited.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { memberships, users } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/record';
import { recordChange } from '@/lib/changes/record';
import { hashPassword } from '@/lib/auth/password';
import { DomainError, isUniqueViolation, parseInput } from '@/lib/errors';
import { createUserInput, emailSchema, passwordSchema, type CreateUserInput } from './schemas';

export type User = { id: string; email: string; name: string };

const publicColumns = { id: users.id, email: users.email, name: users.name };

export async function createUser(db: Db | Tx, input: CreateUserInput): Promise<User> {
  const { email, name, password } = parseInput(createUserInput, input);
  const passwordHash = password === undefined ? null : await hashPassword(password);
  try {
    const [user] = await db
      .insert(users)
      .values({ email, name: name ?? email.split('@')[0]!, passwordHash })
      .returning(publicColumns);
    return user!;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('conflict', `A user with the email ${email} already exists.`, {
        email: ['A user with this email already exists.'],
      });
    }
    throw error;
  }
}

export async function findUserByEmail(db: Db | Tx, email: string): Promise<(User & { passwordHash: string | null }) | undefined> {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) return undefined;
  const [user] = await db
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${parsed.data}`)
    .limit(1);
  return user;
}

export async function findUserById(db: Db | Tx, id: string): Promise<User | undefined> {
  const [user] = await db.select(publicColumns).from(users).where(eq(users.id, id)).limit(1);
  return user;
}

/** Who set a password, as the audit log of project `projectId` names them. */
export type PasswordSetBy = { actorIn: (projectId: string) => Promise<AuditActor> | AuditActor; via: 'link' | 'cli' };

/**
 * Inside the change's transaction: stores the user's new password hash and voids every session
 * signed in before `now` (the Auth.js callback reads the cutoff). Audit events belong to a
 * project, so the change is recorded in each project the user is a member of.
 */
export async function storePassword(tx: Tx, userId: string, passwordHash: string, by: PasswordSetBy, now: Date): Promise<User> {
  const [user] = await tx.update(users).set({ passwordHash, sessionsValidFrom: now }).where(eq(users.id, userId)).returning(publicColumns);
  if (!user) throw new DomainError('not_found', 'No such user.');
  const projects = await tx.select({ projectId: memberships.projectId }).from(memberships).where(eq(memberships.userId, userId));
  for (const { projectId } of projects) {
    await recordChange(tx, await by.actorIn(projectId), { action: 'user.password_set', targetType: 'user', targetId: user.id, metadata: { email: user.email, via: by.via } });
  }
  return user;
}

/** Sets the password of the user with `email` (the operator CLI's reset). */
export async function setPassword(db: Db, email: string, password: string, by: PasswordSetBy, now = new Date()): Promise<User> {
  const validPassword = parseInput(passwordSchema, password, 'password');
  const validEmail = parseInput(emailSchema, email, 'email');
  const passwordHash = await hashPassword(validPassword);
  return db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, validEmail);
    if (!user) throw new DomainError('not_found', `No user has the email ${validEmail}.`, { email: ['No user has this email.'] });
    return storePassword(tx, user.id, passwordHash, by, now);
  });
}
