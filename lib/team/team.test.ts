import { randomBytes } from 'node:crypto';
import { and, count, eq, sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { auditEvents, memberships, passwordTokens, users } from '@/db/schema';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { createProject, setMembership } from '@/lib/projects/projects';
import { describeEachDatabase, rowCounts } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import { createUser, findUserByEmail } from '@/lib/users/users';
import { createPasswordToken, PASSWORD_LINK_LIFETIME_MS, setPasswordWithToken } from './password-links';
import { addMember, changeRole, LAST_ADMIN, listMembers, removeMember } from './team';
import type { UserActor } from '@/lib/auth/authorize';

process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

const counts = (db: Db) => rowCounts(db, { memberships, events: auditEvents, users });

describeEachDatabase('Team', (current) => {
  let admin: UserActor;
  let member: UserActor;
  let outsider: UserActor;
  let adminId = '';
  let memberId = '';
  let teamProjectId = '';

  beforeAll(async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'team' });
    const other = await createProject(db, { slug: 'elsewhere' });
    const a = await createUser(db, { email: 'owner@team.test', password: 'correct horse battery' });
    const m = await createUser(db, { email: 'dev@team.test', password: 'correct horse battery' });
    const o = await createUser(db, { email: 'admin@elsewhere.test' });
    await setMembership(db, project.id, a.id, 'admin');
    await setMembership(db, project.id, m.id, 'member');
    await setMembership(db, other.id, o.id, 'admin');
    adminId = a.id;
    teamProjectId = project.id;
    memberId = m.id;
    admin = { type: 'user', userId: a.id, projectSlug: 'team', clientAddress: '192.0.2.7' };
    member = { type: 'user', userId: m.id, projectSlug: 'team' };
    outsider = { type: 'user', userId: o.id, projectSlug: 'team' };
  });

  it('lists members for any member; only admins may manage', async () => {
    const { db } = current();
    const asAdmin = await listMembers(db, admin);
    expect(asAdmin.canManage).toBe(true);
    expect(asAdmin.members.map((m) => [m.email, m.role])).toEqual([
      ['dev@team.test', 'member'],
      ['owner@team.test', 'admin'],
    ]);
    expect((await listMembers(db, member)).canManage).toBe(false);
    expect((await rejection(listMembers(db, outsider))).code).toBe('not_found');
  });

  it('members and other projects’ admins change nothing', async () => {
    const { db } = current();
    const before = await counts(db);
    expect((await rejection(addMember(db, member, { email: 'x@team.test', role: 'admin' }))).code).toBe('forbidden');
    expect((await rejection(changeRole(db, member, memberId, { role: 'admin' }))).code).toBe('forbidden');
    expect((await rejection(removeMember(db, member, adminId))).code).toBe('forbidden');
    expect((await rejection(addMember(db, outsider, { email: 'x@team.test', role: 'admin' }))).code).toBe('not_found');
    expect((await rejection(removeMember(db, outsider, memberId))).code).toBe('not_found');
    expect(await counts(db)).toEqual(before);
  });

  it('refuses bad input with field errors and writes nothing', async () => {
    const { db } = current();
    const before = await counts(db);
    const bad = await rejection(addMember(db, admin, { email: 'not-an-email', role: 'owner' } as never));
    expect(bad.code).toBe('invalid_input');
    expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(['email', 'role']);
    const extra = await rejection(addMember(db, admin, { email: 'a@team.test', role: 'member', projectId: 'x' } as never));
    expect(extra.code).toBe('invalid_input');
    expect((await rejection(changeRole(db, admin, 'not-a-uuid', { role: 'admin' }))).code).toBe('not_found');
    expect(await counts(db)).toEqual(before);
  });

  it('adds a new user with a single-use set-password link valid for 24 hours', async () => {
    const { db } = current();
    const now = new Date('2026-11-24T10:00:00Z');
    const added = await addMember(db, admin, { email: ' New.Person@Team.test ', role: 'member' }, { now });
    expect(added.member).toMatchObject({ email: 'new.person@team.test', role: 'member', passwordSet: false });
    expect(added.passwordToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [stored] = await db.select().from(passwordTokens).where(eq(passwordTokens.userId, added.member.userId));
    expect(stored!.tokenHash).not.toContain(added.passwordToken);
    expect(stored!.expiresAt.getTime() - now.getTime()).toBe(PASSWORD_LINK_LIFETIME_MS);

    const token = added.passwordToken!;
    const mismatch = await rejection(setPasswordWithToken(db, { token, password: 'a long password', confirm: 'another one' }, { now }));
    expect(mismatch.fieldErrors?.confirm).toBeDefined();
    const later = new Date(now.getTime() + PASSWORD_LINK_LIFETIME_MS + 1);
    expect((await rejection(setPasswordWithToken(db, { token, password: 'a long password', confirm: 'a long password' }, { now: later }))).fieldErrors?.token).toBeDefined();

    const soon = new Date(now.getTime() + 60_000);
    expect(await setPasswordWithToken(db, { token, password: 'a long password', confirm: 'a long password' }, { now: soon })).toEqual({ email: 'new.person@team.test' });
    const user = await findUserByEmail(db, 'new.person@team.test');
    expect(await verifyPassword(user!.passwordHash!, 'a long password')).toBe(true);
    const again = await rejection(setPasswordWithToken(db, { token, password: 'another password', confirm: 'another password' }, { now: soon }));
    expect(again.code).toBe('invalid_input');
    expect(await verifyPassword((await findUserByEmail(db, 'new.person@team.test'))!.passwordHash!, 'a long password')).toBe(true);
  });

  it('adds an existing user at once, without a link; a second add is a conflict', async () => {
    const { db } = current();
    await createUser(db, { email: 'known@team.test', password: 'correct horse battery' });
    const added = await addMember(db, admin, { email: 'known@team.test', role: 'admin' });
    expect(added).toMatchObject({ passwordToken: null, member: { role: 'admin', passwordSet: true } });
    expect((await rejection(addMember(db, admin, { email: 'known@team.test', role: 'member' }))).code).toBe('conflict');
    await removeMember(db, admin, added.member.userId);
  });

  it('adding another project’s admin who has no password gives no link and leaves their own invitation alone', async () => {
    const { db } = current();
    const victimProject = await createProject(db, { slug: 'victim' });
    const victim = await createUser(db, { email: 'admin@victim.test' });
    await setMembership(db, victimProject.id, victim.id, 'admin');
    const invitation = await createPasswordToken(db, victim.id, null);
    const tokensOfVictim = () => db.select().from(passwordTokens).where(eq(passwordTokens.userId, victim.id));
    const before = await tokensOfVictim();
    expect(before).toHaveLength(1);

    const added = await addMember(db, admin, { email: 'admin@victim.test', role: 'member' });
    expect(added).toMatchObject({ passwordToken: null, member: { userId: victim.id, passwordSet: false } });
    expect(await tokensOfVictim()).toEqual(before);
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, 'member.added'), eq(auditEvents.targetId, victim.id)));
    expect(event!.metadata).toEqual({ email: 'admin@victim.test', role: 'member', newUser: false });

    // Their genuine invitation still works, for them.
    const password = 'the victim’s own password';
    expect(await setPasswordWithToken(db, { token: invitation, password, confirm: password }, { clientAddress: '192.0.2.80' })).toEqual({ email: 'admin@victim.test' });
    await removeMember(db, admin, victim.id);
  });

  it('looks a link’s token up before hashing any password', async () => {
    const { db } = current();
    let hashes = 0;
    const hash = (password: string) => {
      hashes += 1;
      return hashPassword(password);
    };
    const password = 'a long password';
    const unknown = await rejection(setPasswordWithToken(db, { token: randomBytes(32).toString('base64url'), password, confirm: password }, { hash, clientAddress: '192.0.2.81' }));
    expect(unknown.fieldErrors?.token).toBeDefined();
    expect(hashes).toBe(0);

    const { passwordToken } = await addMember(db, admin, { email: 'hashed-once@team.test', role: 'member' });
    await setPasswordWithToken(db, { token: passwordToken!, password, confirm: password }, { hash, clientAddress: '192.0.2.81' });
    expect(hashes).toBe(1);
    expect(await verifyPassword((await findUserByEmail(db, 'hashed-once@team.test'))!.passwordHash, password)).toBe(true);
  });

  it('limits set-password attempts to 10 per 15 minutes per address, an IPv6 address by its /64', async () => {
    const { db } = current();
    const now = new Date('2031-03-01T08:00:00Z');
    // The process-wide limiter serves both drivers' runs: each counts in a /64 of its own.
    const net = current().driver === 'pglite' ? '2001:db8:7' : '2001:db8:9';
    const attempt = (clientAddress: string, at = now) =>
      rejection(setPasswordWithToken(db, { token: randomBytes(32).toString('base64url'), password: 'a long password', confirm: 'a long password' }, { clientAddress, now: at }));
    for (let i = 0; i < 10; i++) expect((await attempt(`${net}:7::1`)).code).toBe('invalid_input');
    const limited = await attempt(`${net}:7::abcd`);
    expect(limited.code).toBe('rate_limited');
    expect(limited.message).toBe('Too many attempts to set a password from this address. Try again in 15 minutes.');
    expect((await attempt(`${net}:8::1`)).code).toBe('invalid_input');
    expect((await attempt(`${net}:7::1`, new Date(now.getTime() + 15 * 60_000 + 1))).code).toBe('invalid_input');
  });

  it('setting a password by link ends the user’s other sessions and is audited in each of their projects', async () => {
    const { db } = current();
    const { member, passwordToken } = await addMember(db, admin, { email: 'audited@team.test', role: 'member' });
    const elsewhere = await createProject(db, { slug: 'audited-elsewhere' });
    await setMembership(db, elsewhere.id, member.userId, 'member');
    const at = new Date();
    const password = 'a long password';
    await setPasswordWithToken(db, { token: passwordToken!, password, confirm: password }, { clientAddress: '198.51.100.9', now: at });

    const [user] = await db.select({ sessionsValidFrom: users.sessionsValidFrom }).from(users).where(eq(users.id, member.userId));
    expect(user!.sessionsValidFrom).toEqual(at);
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.action, 'user.password_set'), eq(auditEvents.targetId, member.userId)));
    expect(events.map((e) => [e.projectId, e.actorType, e.actorId, e.actorLabel, e.clientAddress, e.metadata]).sort()).toEqual(
      [
        [elsewhere.id, 'user', member.userId, 'audited@team.test', '198.51.100.9', { email: 'audited@team.test', via: 'link' }],
        [teamProjectId, 'user', member.userId, 'audited@team.test', '198.51.100.9', { email: 'audited@team.test', via: 'link' }],
      ].sort(),
    );
    expect(JSON.stringify(events)).not.toContain(password);
  });

  it('never removes or demotes the last administrator, even when two admins demote each other at once', async () => {
    const { db } = current();
    expect((await rejection(changeRole(db, admin, adminId, { role: 'member' }))).message).toBe(LAST_ADMIN);
    expect((await rejection(removeMember(db, admin, adminId))).message).toBe(LAST_ADMIN);

    await changeRole(db, admin, memberId, { role: 'admin' });
    const results = await Promise.allSettled([changeRole(db, admin, memberId, { role: 'member' }), changeRole(db, member, adminId, { role: 'member' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [{ admins }] = (await db
      .select({ admins: sql<number>`count(*)::int` })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.role, 'admin'), sql`${users.email} in ('owner@team.test', 'dev@team.test')`))) as [{ admins: number }];
    expect(admins).toBe(1);
    // Put things back: owner admin, dev member.
    const owner = (await listMembers(db, results[0]!.status === 'fulfilled' ? admin : member)).members;
    if (owner.find((m) => m.email === 'owner@team.test')!.role !== 'admin') {
      await changeRole(db, member, adminId, { role: 'admin' });
      await changeRole(db, admin, memberId, { role: 'member' });
    }
  });

  it('a demoted admin loses admin rights on the very next call; every change is audited once', async () => {
    const { db } = current();
    const start = await db.select({ n: count() }).from(auditEvents);
    await changeRole(db, admin, memberId, { role: 'admin' });
    await changeRole(db, admin, memberId, { role: 'member' });
    expect((await rejection(addMember(db, member, { email: 'y@team.test', role: 'member' }))).code).toBe('forbidden');
    const events = await db.select().from(auditEvents).where(eq(auditEvents.targetId, memberId));
    expect(events.slice(-2).map((e) => [e.action, e.metadata, e.actorLabel])).toEqual([
      ['member.role_changed', { email: 'dev@team.test', from: 'member', to: 'admin' }, 'owner@team.test'],
      ['member.role_changed', { email: 'dev@team.test', from: 'admin', to: 'member' }, 'owner@team.test'],
    ]);
    const [end] = await db.select({ n: count() }).from(auditEvents);
    expect(end!.n - start[0]!.n).toBe(2);
  });

  it('the audit log cannot be changed or deleted, by any statement', async () => {
    const { db } = current();
    await expect(db.execute(sql`update audit_events set action = 'forged'`)).rejects.toThrow();
    await expect(db.execute(sql`delete from audit_events`)).rejects.toThrow();
    await expect(db.execute(sql`truncate audit_events`)).rejects.toThrow();
    const [forged] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, 'forged'));
    expect(forged!.n).toBe(0);
  });

  it('a trigger of some other table cannot delete events either: only a project delete cascades', async () => {
    const { db } = current();
    const [before] = await db.select({ n: count() }).from(auditEvents);
    await db.execute(sql`create table audit_probe (id int)`);
    await db.execute(sql`create function audit_probe_purge() returns trigger as $$ begin delete from audit_events; return new; end; $$ language plpgsql`);
    await db.execute(sql`create trigger audit_probe_purge after insert on audit_probe for each row execute function audit_probe_purge()`);
    try {
      await expect(db.execute(sql`insert into audit_probe values (1)`)).rejects.toThrow();
    } finally {
      await db.execute(sql`drop table audit_probe`);
      await db.execute(sql`drop function audit_probe_purge()`);
    }
    const [after] = await db.select({ n: count() }).from(auditEvents);
    expect(after!.n).toBe(before!.n);
    // The cascade itself still works: a deleted project takes its events with it.
    const doomed = await createProject(db, { slug: 'doomed' });
    await setMembership(db, doomed.id, adminId, 'admin');
    await addMember(db, { ...admin, projectSlug: 'doomed' }, { email: 'x@doomed.test', role: 'member' });
    const [recorded] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.projectId, doomed.id));
    expect(recorded!.n).toBeGreaterThan(0);
    await db.execute(sql`delete from projects where id = ${doomed.id}`);
    const [left] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.projectId, doomed.id));
    expect(left!.n).toBe(0);
  });
});
