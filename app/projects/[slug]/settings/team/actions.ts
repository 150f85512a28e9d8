'use server';

import { headers } from 'next/headers';
import { projectAction, type ActionResult } from '@/lib/auth/action';
import { publicUrl } from '@/lib/config/public-url';
import { passwordLink } from '@/lib/team/password-links';
import type { AddMemberInput, ChangeRoleInput } from '@/lib/team/schemas';
import { addMember, changeRole, removeMember, type Member } from '@/lib/team/team';

// Thin adapters: the signed-in user, then one domain function that authorizes (admin of this
// project, read from the database), validates and writes. Inputs are untrusted.

const refresh = (slug: unknown) => ({ path: `/projects/${String(slug)}/settings/team` });

/** A new user's set-password link is in this answer only: the team dialog shows it once. */
export async function addMemberAction(slug: string, input: AddMemberInput): Promise<ActionResult<{ member: Member; link: string | null }>> {
  return projectAction(
    slug,
    async (db, actor) => {
      const { member, passwordToken } = await addMember(db, actor, input);
      return { member, link: passwordToken ? passwordLink(publicUrl(await headers()), passwordToken) : null };
    },
    refresh(slug),
  );
}

export async function changeRoleAction(slug: string, userId: string, input: ChangeRoleInput): Promise<ActionResult<Member>> {
  return projectAction(slug, (db, actor) => changeRole(db, actor, userId, input), refresh(slug));
}

export async function removeMemberAction(slug: string, userId: string): Promise<ActionResult<{ userId: string }>> {
  return projectAction(slug, (db, actor) => removeMember(db, actor, userId), refresh(slug));
}
