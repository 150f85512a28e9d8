'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import type { Db } from '@/db/client';
import { clientAddress } from '@/lib/api/client-address';
import { runAction, type ActionResult } from '@/lib/auth/action';
import { publicUrl } from '@/lib/config/public-url';
import { passwordLink } from '@/lib/team/password-links';
import type { AddMemberInput, ChangeRoleInput } from '@/lib/team/schemas';
import { addMember, changeRole, removeMember, type Member, type TeamActor } from '@/lib/team/team';

// Thin adapters: the signed-in user, then one domain function that authorizes (admin of this
// project, read from the database), validates and writes. Inputs are untrusted.

async function teamAction<T>(slug: unknown, operation: (db: Db, actor: TeamActor) => Promise<T>): Promise<ActionResult<T>> {
  const result = await runAction(async ({ db, user }) =>
    operation(db, { userId: user.id, projectSlug: String(slug), clientAddress: clientAddress(await headers()) }),
  );
  if (result.ok) revalidatePath(`/projects/${String(slug)}/settings/team`);
  return result;
}

/** A new user's set-password link is in this answer only: the team dialog shows it once. */
export async function addMemberAction(slug: string, input: AddMemberInput): Promise<ActionResult<{ member: Member; link: string | null }>> {
  return teamAction(slug, async (db, actor) => {
    const { member, passwordToken } = await addMember(db, actor, input);
    return { member, link: passwordToken ? passwordLink(publicUrl(await headers()), passwordToken) : null };
  });
}

export async function changeRoleAction(slug: string, userId: string, input: ChangeRoleInput): Promise<ActionResult<Member>> {
  return teamAction(slug, (db, actor) => changeRole(db, actor, userId, input));
}

export async function removeMemberAction(slug: string, userId: string): Promise<ActionResult<{ userId: string }>> {
  return teamAction(slug, (db, actor) => removeMember(db, actor, userId));
}
