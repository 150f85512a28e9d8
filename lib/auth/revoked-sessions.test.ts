import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { revokedSessions, users } from '@/db/schema';
import { describeEachDatabase } from '@/lib/testing/databases';
import { createUser, type User } from '@/lib/users/users';
import { revokeSession, sessionStanding } from './revoked-sessions';

describeEachDatabase('revoked sessions', (current) => {
  let user: User;
  const revoked = async (sid: string) => (await sessionStanding(current().db, user.id, sid))?.revoked;

  beforeAll(async () => {
    user = await createUser(current().db, { email: 'sessions@revoked.test' });
  });

  it('remembers a signed-out session until its cookie cannot be valid, then forgets it', async () => {
    const { db } = current();
    const t0 = new Date('2031-01-01T00:00:00Z');
    await revokeSession(db, 'sid-a', 3600, t0);
    expect(await revoked('sid-a')).toBe(true);
    expect(await revoked('sid-b')).toBe(false);

    // Revoked again later: kept for the later of the two lifetimes.
    await revokeSession(db, 'sid-a', 3600, new Date(t0.getTime() + 1800_000));
    const [row] = await db.select().from(revokedSessions);
    expect(row?.expiresAt.toISOString()).toBe('2031-01-01T01:30:00.000Z');

    // A later revocation sweeps out the ids whose time has passed.
    await revokeSession(db, 'sid-c', 3600, new Date(t0.getTime() + 2 * 3600_000));
    expect(await revoked('sid-a')).toBe(false);
    expect(await revoked('sid-c')).toBe(true);
  });

  it("answers revocation and the user's cut-off in one query, and nothing for a user who is gone", async () => {
    const { db } = current();
    expect(await sessionStanding(db, user.id, 'sid-fresh')).toEqual({ revoked: false, validFrom: null });
    const cutOff = new Date('2031-02-03T04:05:06.789Z');
    await db.update(users).set({ sessionsValidFrom: cutOff }).where(eq(users.id, user.id));
    expect(await sessionStanding(db, user.id, 'sid-fresh')).toEqual({ revoked: false, validFrom: cutOff });

    expect(await sessionStanding(db, randomUUID(), 'sid-fresh')).toBeUndefined();
    // A malformed id is "no such user", not a query error (which would read as the database away).
    expect(await sessionStanding(db, 'not-a-uuid', 'sid-fresh')).toBeUndefined();
  });
});
