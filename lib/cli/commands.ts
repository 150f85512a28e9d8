/**
 * What the operator CLI's commands do to the database, through the domain functions of
 * lib/users, lib/projects and lib/team: the same rules as the console (a project keeps its last
 * administrator) and the same audit events, with the system as the actor. Every command
 * validates all of its input before it writes, and writes in one transaction, so a refused
 * command changes nothing. Returns the one-line message to print; never includes a password.
 */
import { z } from 'zod';
import type { Db, Tx } from '@/db/client';
import { authorize } from '@/lib/auth/authorize';
import { recordChange } from '@/lib/changes/record';
import { DomainError, parseInput } from '@/lib/errors';
import { createProject, findMembership, listProjectsForUser, lockProject } from '@/lib/projects/projects';
import { createProjectInput, projectSlugSchema } from '@/lib/projects/schemas';
import { deleteMember, insertMember, setMemberRole } from '@/lib/team/team';
import { createUserInput, emailSchema, passwordSchema, roleSchema } from '@/lib/users/schemas';
import { createUser, findUserByEmail, setPassword } from '@/lib/users/users';
import type { Command } from './args';
import { auditList } from './audit-commands';
import { keyCreate, keyList, keyVerify } from './key-commands';
import { operator, operatorIn } from './operator';
import { seedInput } from './seed-command';

const userAddInput = createUserInput.extend({ project: projectSlugSchema, role: roleSchema });
const membershipInput = z.strictObject({ email: emailSchema, project: projectSlugSchema, role: roleSchema });
const removeInput = membershipInput.omit({ role: true });
const setPasswordInput = z.strictObject({ email: emailSchema, password: passwordSchema });

function setPasswordHint(email: string): string {
  return `set one with "npm run keyward -- user set-password ${email} --password-stdin"`;
}

export async function projectAdd(db: Db, input: { slug: string; name?: string }): Promise<string> {
  const project = await db.transaction(async (tx) => {
    const created = await createProject(tx, input);
    await recordChange(tx, await authorize(tx, operator(created.slug), 'admin'), { action: 'project.created', targetType: 'project', targetId: created.id, metadata: { slug: created.slug, name: created.name } });
    return created;
  });
  return `Created project ${project.slug} ("${project.name}").`;
}

/** Creates the user and their membership together: an unknown project leaves no user behind. */
export async function userAdd(
  db: Db,
  input: { email: string; project: string; role: string; name?: string; password?: string },
): Promise<string> {
  const { email, project: slug, role, name, password } = parseInput(userAddInput, input);
  const user = await db.transaction(async (tx) => {
    const cleared = await authorize(tx, operator(slug), 'admin');
    const created = await createUser(tx, { email, name, password });
    await insertMember(tx, cleared, { ...created, passwordSet: password !== undefined }, role, { newUser: true });
    return created;
  });
  const created = `Created user ${user.email} (${role} of ${slug}).`;
  return password === undefined ? `${created} It has no password yet: ${setPasswordHint(user.email)}.` : created;
}

/** Sets a user's password and ends their sessions; audited in each of their projects. */
export async function userSetPassword(db: Db, input: { email: string; password: string }): Promise<string> {
  const user = await setPassword(db, input.email, input.password, { actorIn: operatorIn, via: 'cli' });
  return `Set the password of ${user.email}.`;
}

async function requireUser(db: Db | Tx, email: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new DomainError('not_found', `No user has the email ${email}.`, { email: ['No user has this email.'] });
  return user;
}

/** The project and user a membership command names, with the project's team changes locked. */
async function lockMembership(tx: Tx, slug: string, email: string) {
  const cleared = await authorize(tx, operator(slug), 'admin');
  const user = await requireUser(tx, email);
  await lockProject(tx, cleared.projectId);
  return { cleared, user, membership: await findMembership(tx, user.id, slug) };
}

/** Adds an existing user to a project with a role, or changes the role they have there. */
export async function userSetRole(db: Db, input: { email: string; project: string; role: string }): Promise<string> {
  const { email, project: slug, role } = parseInput(membershipInput, input);
  await db.transaction(async (tx) => {
    const { cleared, user, membership } = await lockMembership(tx, slug, email);
    if (membership) await setMemberRole(tx, cleared, user.id, role);
    else await insertMember(tx, cleared, { ...user, passwordSet: user.passwordHash !== null }, role, { newUser: false });
  });
  return `${email} is now ${role} of ${slug}.`;
}

export async function userRemove(db: Db, input: { email: string; project: string }): Promise<string> {
  const { email, project: slug } = parseInput(removeInput, input);
  await db.transaction(async (tx) => {
    const { cleared, user, membership } = await lockMembership(tx, slug, email);
    if (!membership) throw new DomainError('not_found', `${email} is not a member of ${slug}.`, { email: ['Not a member of this project.'] });
    await deleteMember(tx, cleared, user.id);
  });
  return `Removed ${email} from ${slug}.`;
}

/** A user as JSON: who they are, whether they have a password, and their role in each project. */
export async function userShow(db: Db, input: { email: string }): Promise<string> {
  const email = parseInput(emailSchema, input.email, 'email');
  const user = await requireUser(db, email);
  const projects = await listProjectsForUser(db, user.id);
  const shown = { id: user.id, email: user.email, name: user.name, passwordSet: user.passwordHash !== null, projects: projects.map(({ slug, role }) => ({ slug, role })) };
  return JSON.stringify(shown, null, 2);
}

/**
 * Checks a user or project command's input without a database, so that the CLI refuses a typo
 * before it opens one (an embedded database takes seconds to start). The commands check again.
 */
export function checkCommandInput(command: Exclude<Command, { kind: 'help' }>, password?: string): void {
  switch (command.kind) {
    case 'project add':
      parseInput(createProjectInput, { slug: command.slug, name: command.name });
      return;
    case 'user add':
      parseInput(userAddInput, { email: command.email, project: command.project, role: command.role, name: command.name, password });
      return;
    case 'user set-password':
      if (password !== undefined) parseInput(setPasswordInput, { email: command.email, password });
      return;
    case 'user set-role':
      parseInput(membershipInput, { email: command.email, project: command.project, role: command.role });
      return;
    case 'user remove':
      parseInput(removeInput, { email: command.email, project: command.project });
      return;
    case 'user show':
      parseInput(emailSchema, command.email, 'email');
      return;
    case 'seed':
      parseInput(seedInput, { project: command.project, keys: command.keys, admin: command.admin, batch: command.batch });
      return;
    default:
      return; // The key commands check their own input when they run.
  }
}

/** A command that runs on a database handed to it: all but help, seed, backup and restore (lib/cli/main.ts runs those). */
export type DatabaseCommand = Exclude<Command, { kind: 'help' | 'seed' | 'backup' | 'restore' }>;

/** Runs a parsed command; `password` is stdin's first line, for the commands that read one. */
export async function executeCommand(db: Db, command: DatabaseCommand, password?: string): Promise<string> {
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
    case 'user show':
      return userShow(db, { email: command.email });
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
