/**
 * What the operator CLI's commands do to the database, through the domain functions of
 * lib/users and lib/projects. Every command validates all of its input before it writes, and
 * writes in one transaction, so a refused command changes nothing. Returns the one-line
 * message to print; never includes a password in it.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '@/db/client';
import { memberships } from '@/db/schema';
import { DomainError, invalidInput } from '@/lib/errors';
import { createProject, requireProjectBySlug, setMembership } from '@/lib/projects/projects';
import { createProjectInput, projectSlugSchema } from '@/lib/projects/schemas';
import { createUserInput, emailSchema, passwordSchema, roleSchema } from '@/lib/users/schemas';
import { createUser, findUserByEmail, setPassword } from '@/lib/users/users';
import type { Command } from './args';
import { keyCreate, keyList, keyVerify } from './key-commands';
import { auditList } from './audit-commands';

const userAddInput = createUserInput.extend({ project: projectSlugSchema, role: roleSchema });
const membershipInput = z.strictObject({ email: emailSchema, project: projectSlugSchema, role: roleSchema });
const removeInput = membershipInput.omit({ role: true });
const setPasswordInput = z.strictObject({ email: emailSchema, password: passwordSchema });

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  return parsed.data;
}

function setPasswordHint(email: string): string {
  return `set one with "npm run keyward -- user set-password ${email} --password-stdin"`;
}

export async function projectAdd(db: Db, input: { slug: string; name?: string }): Promise<string> {
  const project = await createProject(db, input);
  return `Created project ${project.slug} ("${project.name}").`;
}

/** Creates the user and their membership together: an unknown project leaves no user behind. */
export async function userAdd(
  db: Db,
  input: { email: string; project: string; role: string; name?: string; password?: string },
): Promise<string> {
  const { email, project: slug, role, name, password } = parse(userAddInput, input);
  const user = await db.transaction(async (tx) => {
    const project = await requireProjectBySlug(tx, slug);
    const created = await createUser(tx, { email, name, password });
    await setMembership(tx, project.id, created.id, role);
    return created;
  });
  const created = `Created user ${user.email} (${role} of ${slug}).`;
  return password === undefined ? `${created} It has no password yet: ${setPasswordHint(user.email)}.` : created;
}

export async function userSetPassword(db: Db, input: { email: string; password: string }): Promise<string> {
  const by = { actorIn: (projectId: string) => ({ projectId, actorType: 'system' as const, actorId: null, actorLabel: 'operator CLI' }), via: 'cli' as const };
  const user = await setPassword(db, input.email, input.password, by);
  return `Set the password of ${user.email}.`;
}

async function requireUser(db: Db | Tx, email: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new DomainError('not_found', `No user has the email ${email}.`, { email: ['No user has this email.'] });
  return user;
}

/** Adds an existing user to a project with a role, or changes the role they have there. */
export async function userSetRole(db: Db, input: { email: string; project: string; role: string }): Promise<string> {
  const { email, project: slug, role } = parse(membershipInput, input);
  await db.transaction(async (tx) => {
    const project = await requireProjectBySlug(tx, slug);
    const user = await requireUser(tx, email);
    await setMembership(tx, project.id, user.id, role);
  });
  return `${email} is now ${role} of ${slug}.`;
}

export async function userRemove(db: Db, input: { email: string; project: string }): Promise<string> {
  const { email, project: slug } = parse(removeInput, input);
  await db.transaction(async (tx) => {
    const project = await requireProjectBySlug(tx, slug);
    const user = await requireUser(tx, email);
    const removed = await tx
      .delete(memberships)
      .where(and(eq(memberships.projectId, project.id), eq(memberships.userId, user.id)))
      .returning({ userId: memberships.userId });
    if (removed.length === 0) {
      throw new DomainError('not_found', `${email} is not a member of ${slug}.`, { email: ['Not a member of this project.'] });
    }
  });
  return `Removed ${email} from ${slug}.`;
}

/**
 * Checks a user or project command's input without a database, so that the CLI refuses a typo
 * before it opens one (an embedded database takes seconds to start). The commands check again.
 */
export function checkCommandInput(command: Exclude<Command, { kind: 'help' }>, password?: string): void {
  switch (command.kind) {
    case 'project add':
      parse(createProjectInput, { slug: command.slug, name: command.name });
      return;
    case 'user add':
      parse(userAddInput, { email: command.email, project: command.project, role: command.role, name: command.name, password });
      return;
    case 'user set-password':
      if (password !== undefined) parse(setPasswordInput, { email: command.email, password });
      return;
    case 'user set-role':
      parse(membershipInput, { email: command.email, project: command.project, role: command.role });
      return;
    case 'user remove':
      parse(removeInput, { email: command.email, project: command.project });
      return;
    default:
      return; // The key commands check their own input when they run.
  }
}

/** Runs a parsed command; `password` is stdin's first line, for the commands that read one. */
export async function executeCommand(db: Db, command: Exclude<Command, { kind: 'help' }>, password?: string): Promise<string> {
  const needPassword = (): string => {
    if (password === undefined) throw new DomainError('invalid_input', 'No password was given on stdin.', { password: ['Password is required.'] });
    return password;
  };
  switch (command.kind) {
    case 'project add':
      return projectAdd(db, { slug: command.slug, name: command.name });
    case 'user add': {
      const { email, project, role, name } = command;
      return userAdd(db, { email, project, role, name, password: command.passwordStdin ? needPassword() : undefined });
    }
    case 'user set-password':
      return userSetPassword(db, { email: command.email, password: needPassword() });
    case 'user set-role':
      return userSetRole(db, { email: command.email, project: command.project, role: command.role });
    case 'user remove':
      return userRemove(db, { email: command.email, project: command.project });
    case 'key create':
      return keyCreate(db, command);
    case 'key list':
      return keyList(db, command);
    case 'key verify':
      return keyVerify(db, { key: needPassword(), require: command.require, at: command.at });
    case 'audit list':
      return auditList(db, command);
  }
}
