/**
 * A project's team: who is a member and with which role. Any member may see the team; only
 * administrators change it. Every change locks the project row first, so two administrators
 * demoting each other at once cannot leave a project without one: the last administrator can
 * never be removed or demoted. Each change writes its audit event in the same transaction.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '@/db/client';
import { memberships, users, type Role } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/record';
import { recordChange } from '@/lib/changes/record';
import { authorize, type Actor, type Need } from '@/lib/auth/authorize';
import { DomainError, parseInput } from '@/lib/errors';
import { lockProject } from '@/lib/projects/projects';
import { createUser, findUserByEmail } from '@/lib/users/users';
import { createPasswordToken } from './password-links';
import { addMemberInput, changeRoleInput, type AddMemberInput, type ChangeRoleInput } from './schemas';

export const TEAM_ADMIN_ONLY = 'Only administrators can manage the team.';
export const LAST_ADMIN = 'A project needs at least one administrator: make someone else an administrator first.';

export type Member = { userId: string; email: string; name: string; role: Role; joinedAt: string; passwordSet: boolean };

/** Seeing the team: any member. */
const SEE_TEAM: Need = { role: 'member' };
/** Changing it: an administrator. */
const MANAGE_TEAM: Need = { role: 'admin', denied: TEAM_ADMIN_ONLY };

const memberColumns = {
  userId: users.id,
  email: users.email,
  name: users.name,
  role: memberships.role,
  joinedAt: memberships.createdAt,
  passwordSet: sql<boolean>`${users.passwordHash} is not null`,
};

const asMember = (row: Omit<Member, 'joinedAt'> & { joinedAt: Date }): Member => ({ ...row, joinedAt: row.joinedAt.toISOString() });

export async function listMembers(db: Db, actor: Actor): Promise<{ members: Member[]; canManage: boolean }> {
  const cleared = await authorize(db, actor, SEE_TEAM);
  const rows = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.projectId, cleared.projectId))
    .orderBy(asc(users.email));
  return { members: rows.map(asMember), canManage: cleared.role === 'admin' };
}

/** The member `userId` of the project, locked for the change; "not found" for anyone else. */
async function lockMember(tx: Tx, projectId: string, userId: unknown): Promise<Member> {
  if (!z.uuid().safeParse(userId).success) throw new DomainError('not_found', 'No such member.');
  // Team changes in one project take turns: the admin count below is then still true at commit.
  await lockProject(tx, projectId);
  const [row] = await tx
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, String(userId))))
    .limit(1);
  if (!row) throw new DomainError('not_found', 'No such member.');
  return asMember(row);
}

async function refuseLastAdmin(tx: Tx, projectId: string, member: Member): Promise<void> {
  if (member.role !== 'admin') return;
  const [{ admins }] = (await tx
    .select({ admins: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.projectId, projectId), eq(memberships.role, 'admin')))) as [{ admins: number }];
  if (admins <= 1) throw new DomainError('conflict', LAST_ADMIN);
}

/**
 * The changes themselves, for an actor already cleared for the project: an administrator (the
 * functions below) or the operator CLI. Either way the same rules hold and the same audit
 * events are written, in the caller's transaction.
 */
export async function insertMember(
  tx: Tx,
  actor: AuditActor,
  user: { id: string; email: string; name: string; passwordSet: boolean },
  role: Role,
  { newUser, now = new Date() }: { newUser: boolean; now?: Date },
): Promise<Member> {
  await lockProject(tx, actor.projectId);
  const inserted = await tx
    .insert(memberships)
    .values({ projectId: actor.projectId, userId: user.id, role, createdAt: now })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  if (inserted.length === 0) throw new DomainError('conflict', `${user.email} is already a member.`, { email: ['Already a member of this project.'] });
  await recordChange(tx, actor, { action: 'member.added', targetType: 'user', targetId: user.id, metadata: { email: user.email, role, newUser } });
  return { userId: user.id, email: user.email, name: user.name, role, joinedAt: now.toISOString(), passwordSet: user.passwordSet };
}

export async function setMemberRole(tx: Tx, actor: AuditActor, userId: unknown, role: Role): Promise<Member> {
  const member = await lockMember(tx, actor.projectId, userId);
  if (member.role === role) return member;
  if (role !== 'admin') await refuseLastAdmin(tx, actor.projectId, member);
  await tx.update(memberships).set({ role }).where(and(eq(memberships.projectId, actor.projectId), eq(memberships.userId, member.userId)));
  await recordChange(tx, actor, {
    action: 'member.role_changed',
    targetType: 'user',
    targetId: member.userId,
    metadata: { email: member.email, from: member.role, to: role },
  });
  return { ...member, role };
}

export async function deleteMember(tx: Tx, actor: AuditActor, userId: unknown): Promise<Member> {
  const member = await lockMember(tx, actor.projectId, userId);
  await refuseLastAdmin(tx, actor.projectId, member);
  await tx.delete(memberships).where(and(eq(memberships.projectId, actor.projectId), eq(memberships.userId, member.userId)));
  await recordChange(tx, actor, { action: 'member.removed', targetType: 'user', targetId: member.userId, metadata: { email: member.email, role: member.role } });
  return member;
}

/**
 * Adds a user by email: an existing user joins at once, with no link, whether or not they have
 * a password (their own invitation or single sign-on stays their way in). An unknown email
 * becomes a new user without a password, and the answer carries a set-password token to show
 * once: a link is only ever issued for a user this very call created, so nobody can take over
 * an existing account by adding it.
 */
export async function addMember(
  db: Db,
  actor: Actor,
  input: AddMemberInput,
  { now = new Date() }: { now?: Date } = {},
): Promise<{ member: Member; passwordToken: string | null }> {
  return db.transaction(async (tx) => {
    const cleared = await authorize(tx, actor, MANAGE_TEAM);
    const { email, role } = parseInput(addMemberInput, input);
    const existing = await findUserByEmail(tx, email);
    const user = existing ?? (await createUser(tx, { email }));
    const member = await insertMember(tx, cleared, { ...user, passwordSet: Boolean(existing?.passwordHash) }, role, { newUser: !existing, now });
    const passwordToken = existing ? null : await createPasswordToken(tx, user.id, cleared.actorType === 'user' ? cleared.actorId : null, now);
    return { member, passwordToken };
  });
}

export async function changeRole(db: Db, actor: Actor, userId: string, input: ChangeRoleInput): Promise<Member> {
  return db.transaction(async (tx) => {
    const cleared = await authorize(tx, actor, MANAGE_TEAM);
    const { role } = parseInput(changeRoleInput, input);
    return setMemberRole(tx, cleared, userId, role);
  });
}

export async function removeMember(db: Db, actor: Actor, userId: string): Promise<{ userId: string }> {
  return db.transaction(async (tx) => {
    const cleared = await authorize(tx, actor, MANAGE_TEAM);
    const member = await deleteMember(tx, cleared, userId);
    return { userId: member.userId };
  });
}
