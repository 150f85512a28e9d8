import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { auditEvents } from '@/db/schema';
import { createProject, setMembership } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { createUser } from '@/lib/users/users';
import { sessionStanding } from './revoked-sessions';
import { beginSession, endSession, recordSessionEvent } from './session-events';

process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

describeEachDatabase('sign-in and sign-out, and their audit events', (current) => {
  it("writes each sign-in and sign-out into every project of the user's, and none other", async () => {
    const { db } = current();
    const alpha = await createProject(db, { slug: 'session-alpha' });
    const beta = await createProject(db, { slug: 'session-beta' });
    const other = await createProject(db, { slug: 'session-other' });
    const ann = await createUser(db, { email: 'ann@session-audit.test' });
    const bob = await createUser(db, { email: 'bob@session-audit.test' });
    await setMembership(db, alpha.id, ann.id, 'admin');
    await setMembership(db, beta.id, ann.id, 'member');
    await setMembership(db, other.id, bob.id, 'admin');
    const sessionId = randomUUID();

    await recordSessionEvent(db, ann.id, 'user.signed_in', { sessionId, method: 'password', clientAddress: '203.0.113.7' });
    await recordSessionEvent(db, ann.id, 'user.signed_out', { sessionId, clientAddress: '203.0.113.8' });

    const rows = await db
      .select({
        projectId: auditEvents.projectId,
        action: auditEvents.action,
        actorType: auditEvents.actorType,
        actorId: auditEvents.actorId,
        actorLabel: auditEvents.actorLabel,
        clientAddress: auditEvents.clientAddress,
        targetType: auditEvents.targetType,
        targetId: auditEvents.targetId,
        metadata: auditEvents.metadata,
      })
      .from(auditEvents)
      .where(eq(auditEvents.actorId, ann.id));
    const actor = { actorType: 'user', actorId: ann.id, actorLabel: ann.email, targetType: 'user', targetId: ann.id };
    expect(rows).toHaveLength(4);
    for (const projectId of [alpha.id, beta.id]) {
      expect(rows).toContainEqual({ ...actor, projectId, action: 'user.signed_in', clientAddress: '203.0.113.7', metadata: { method: 'password', sessionId } });
      expect(rows).toContainEqual({ ...actor, projectId, action: 'user.signed_out', clientAddress: '203.0.113.8', metadata: { sessionId } });
    }
    expect(await db.select().from(auditEvents).where(eq(auditEvents.projectId, other.id))).toEqual([]);
  });

  it('writes nothing for a user without projects, and an SSO sign-in says so', async () => {
    const { db } = current();
    const loner = await createUser(db, { email: 'loner@session-audit.test' });
    await recordSessionEvent(db, loner.id, 'user.signed_in', { sessionId: randomUUID(), method: 'sso' });
    expect(await db.select().from(auditEvents).where(eq(auditEvents.actorId, loner.id))).toEqual([]);

    const project = await createProject(db, { slug: 'session-sso' });
    await setMembership(db, project.id, loner.id, 'member');
    await recordSessionEvent(db, loner.id, 'user.signed_in', { sessionId: 'sid-sso', method: 'sso', clientAddress: null });
    const [row] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, loner.id), eq(auditEvents.projectId, project.id)));
    expect(row).toMatchObject({ action: 'user.signed_in', clientAddress: null, metadata: { method: 'sso', sessionId: 'sid-sso' } });
  });

  it('begins a session with its sign-in recorded, and ends it once: revoked, with one sign-out', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'session-lifecycle' });
    const cy = await createUser(db, { email: 'cy@session-audit.test' });
    await setMembership(db, project.id, cy.id, 'admin');
    const events = async () =>
      (await db.select().from(auditEvents).where(eq(auditEvents.actorId, cy.id)).orderBy(asc(auditEvents.createdAt))).map((e) => [e.action, e.metadata]);

    const claims = await beginSession(db, cy.id, 'password', '203.0.113.9');
    expect(claims.sub).toBe(cy.id);
    expect(await events()).toEqual([['user.signed_in', { method: 'password', sessionId: claims.sid }]]);

    await endSession(db, claims, { absoluteSeconds: 86_400, clientAddress: '203.0.113.9' });
    expect((await sessionStanding(db, cy.id, claims.sid))?.revoked).toBe(true);
    // A copy of the revoked cookie signing out again changes nothing and records nothing.
    await endSession(db, claims, { absoluteSeconds: 86_400, clientAddress: '198.51.100.2' });
    expect(await events()).toEqual([
      ['user.signed_in', { method: 'password', sessionId: claims.sid }],
      ['user.signed_out', { sessionId: claims.sid }],
    ]);

    // Past its lifetime a session is only revoked, and no sign-out is recorded.
    const old = await beginSession(db, cy.id, 'sso', null, Date.now() - 2 * 86_400_000);
    await endSession(db, old, { absoluteSeconds: 86_400, clientAddress: null });
    expect((await sessionStanding(db, cy.id, old.sid))?.revoked).toBe(true);
    expect((await events()).filter(([action]) => action === 'user.signed_out')).toHaveLength(1);
  });
});
