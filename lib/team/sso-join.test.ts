import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { auditEvents, memberships, users } from '@/db/schema';
import { admitSsoIdentity } from '@/lib/auth/sign-in';
import { newUserPolicy } from '@/lib/auth/sso-settings';
import { createProject, listProjectsForUser, setMembership } from '@/lib/projects/projects';
import { describeEachDatabase, rowCounts } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import { createUser, findUserByEmail } from '@/lib/users/users';
import { joinThroughSso, SSO_ACTOR_LABEL, ssoActor, ssoMembers } from './sso-join';

process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

const counts = (db: Db) => rowCounts(db, { users, memberships, events: auditEvents });

const verified = (email: string, name?: string) => ({ email, email_verified: true, name });

/** KEYWARD_OIDC_ALLOW_NEW_USERS as the server reads it, for a single sign-on that is set up. */
const policy = (value: string) =>
  newUserPolicy({ AUTH_OIDC_ISSUER: 'https://id.sso-join.test', AUTH_OIDC_ID: 'keyward', AUTH_OIDC_SECRET: 'unused', KEYWARD_OIDC_ALLOW_NEW_USERS: value });

describeEachDatabase('Single sign-on admission and joining', (current) => {
  let projectId = '';

  beforeAll(async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'sso-tools' });
    projectId = project.id;
    const member = await createUser(db, { email: 'member@sso-join.test' });
    await setMembership(db, project.id, member.id, 'member');
    // Removed from every project by an administrator; the account remains.
    await createUser(db, { email: 'removed@sso-join.test' });
  });

  it('admits a member, and refuses a stranger and a user of no project without writing anything', async () => {
    const { db } = current();
    const before = await counts(db);
    expect(await admitSsoIdentity(verified('Member@SSO-join.test'), ssoMembers(db))).toMatchObject({ ok: true, user: { email: 'member@sso-join.test' } });
    expect(await admitSsoIdentity(verified('stranger@sso-join.test'), ssoMembers(db))).toEqual({ ok: false, reason: 'not_member' });
    expect(await admitSsoIdentity(verified('removed@sso-join.test'), ssoMembers(db, policy('sso-tools:member')))).toEqual({ ok: false, reason: 'not_member' });
    expect(await counts(db)).toEqual(before);
  });

  it('with KEYWARD_OIDC_ALLOW_NEW_USERS, creates the new person and their membership with the fixed role, audited as a team change by single sign-on', async () => {
    const { db } = current();
    const before = await counts(db);
    const verdict = await admitSsoIdentity(verified('New.Person@sso-join.test', 'New Person'), ssoMembers(db, policy('sso-tools:member')));
    expect(verdict).toMatchObject({ ok: true, user: { email: 'new.person@sso-join.test', name: 'New Person' } });
    const user = await findUserByEmail(db, 'new.person@sso-join.test');
    expect(user?.passwordHash).toBeNull();
    expect((await listProjectsForUser(db, user!.id)).map((p) => [p.slug, p.role])).toEqual([['sso-tools', 'member']]);
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.projectId, projectId), eq(auditEvents.targetId, user!.id)));
    expect(events).toMatchObject([
      { action: 'member.added', actorType: 'system', actorId: null, actorLabel: SSO_ACTOR_LABEL, targetType: 'user', metadata: { email: 'new.person@sso-join.test', role: 'member', newUser: true } },
    ]);
    expect(await counts(db)).toEqual({ users: before.users + 1, memberships: before.memberships + 1, events: before.events + 1 });

    // Their next sign-in finds the member they now are; nothing more is written.
    const again = await admitSsoIdentity(verified('new.person@sso-join.test'), ssoMembers(db, policy('sso-tools:member')));
    expect(again).toEqual({ ok: true, user: { id: user!.id, email: user!.email, name: user!.name } });
    expect((await counts(db)).events).toBe(before.events + 1);
  });

  it('refuses a new person when the configured project does not exist, leaving no user behind', async () => {
    const { db } = current();
    const before = await counts(db);
    expect(await admitSsoIdentity(verified('orphan@sso-join.test'), ssoMembers(db, policy('no-such-project:admin')))).toEqual({ ok: false, reason: 'unknown_project' });
    expect(await findUserByEmail(db, 'orphan@sso-join.test')).toBeUndefined();
    expect(await counts(db)).toEqual(before);
  });

  it('joinThroughSso refuses bad input naming the field, and an existing email, changing nothing', async () => {
    const { db } = current();
    const before = await counts(db);
    const bad = await rejection(joinThroughSso(db, ssoActor('sso-tools'), { email: 'not-an-email', role: 'member' }));
    expect(bad).toMatchObject({ code: 'invalid_input', fieldErrors: { email: ['Enter a valid email address.'] } });
    const role = await rejection(joinThroughSso(db, ssoActor('sso-tools'), { email: 'ok@sso-join.test', role: 'owner' as 'member' }));
    expect(role).toMatchObject({ code: 'invalid_input', fieldErrors: { role: ['Role must be "admin" or "member".'] } });
    expect((await rejection(joinThroughSso(db, ssoActor('sso-tools'), { email: 'member@sso-join.test', role: 'member' }))).code).toBe('conflict');
    expect((await rejection(joinThroughSso(db, ssoActor('missing'), { email: 'ok@sso-join.test', role: 'member' }))).code).toBe('not_found');
    expect(await counts(db)).toEqual(before);
  });
});
