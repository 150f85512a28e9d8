/**
 * The one change single sign-on makes (only with KEYWARD_OIDC_ALLOW_NEW_USERS): a person the
 * identity provider vouches for, with no Keyward account, becomes a user and a member of the
 * configured project with its fixed role, in one transaction, audited as a team change
 * (`member.added`) by the system actor "single sign-on". Never touches an existing user: someone
 * an administrator removed from every project is not let back in this way.
 */
import { z } from 'zod';
import type { Db } from '@/db/client';
import { authorize, type Actor } from '@/lib/auth/authorize';
import type { SsoDeps } from '@/lib/auth/sign-in';
import type { NewUserPolicy } from '@/lib/auth/sso-settings';
import { parseInput } from '@/lib/errors';
import { listProjectsForUser } from '@/lib/projects/projects';
import { emailSchema, roleSchema, userNameSchema } from '@/lib/users/schemas';
import { createUser, findUserByEmail, type User } from '@/lib/users/users';
import { insertMember } from './team';

export const SSO_ACTOR_LABEL = 'single sign-on';

/** Single sign-on acting in the project it lets new people into. */
export const ssoActor = (projectSlug: string): Actor => ({ type: 'system', projectSlug, label: SSO_ACTOR_LABEL });

export const ssoJoinInput = z.strictObject({ email: emailSchema, name: userNameSchema.optional(), role: roleSchema });
export type SsoJoinInput = z.input<typeof ssoJoinInput>;

/**
 * Creates the user and their membership, or nothing: an unknown project is not_found, an email
 * that already has an account is a conflict.
 */
export async function joinThroughSso(db: Db, actor: Actor, input: SsoJoinInput): Promise<User> {
  return db.transaction(async (tx) => {
    const cleared = await authorize(tx, actor, 'admin');
    const { email, name, role } = parseInput(ssoJoinInput, input);
    const user = await createUser(tx, { email, name });
    await insertMember(tx, cleared, { ...user, passwordSet: false }, role, { newUser: true });
    return user;
  });
}

/**
 * What single sign-on's admission (lib/auth/sign-in.ts) reads from the database: the user with an
 * email and whether they belong to any project; with a `policy` (KEYWARD_OIDC_ALLOW_NEW_USERS),
 * also the join above.
 */
export function ssoMembers(db: Db, policy?: NewUserPolicy): SsoDeps {
  return {
    findUser: async (email) => {
      const user = await findUserByEmail(db, email);
      return user && { id: user.id, email: user.email, name: user.name, member: (await listProjectsForUser(db, user.id)).length > 0 };
    },
    join: policy && ((identity) => joinThroughSso(db, ssoActor(policy.projectSlug), { ...identity, role: policy.role })),
  };
}
