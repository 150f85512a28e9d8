import { expect, it } from 'vitest';
import { revokedSessions } from '@/db/schema';
import { describeEachDatabase } from '@/lib/testing/databases';
import { isSessionRevoked, revokeSession } from './revoked-sessions';

describeEachDatabase('revoked sessions', (current) => {
  it('remembers a signed-out session until its cookie cannot be valid, then forgets it', async () => {
    const { db } = current();
    const t0 = new Date('2031-01-01T00:00:00Z');
    await revokeSession(db, 'sid-a', 3600, t0);
    expect(await isSessionRevoked(db, 'sid-a')).toBe(true);
    expect(await isSessionRevoked(db, 'sid-b')).toBe(false);

    // Revoked again later: kept for the later of the two lifetimes.
    await revokeSession(db, 'sid-a', 3600, new Date(t0.getTime() + 1800_000));
    const [row] = await db.select().from(revokedSessions);
    expect(row?.expiresAt.toISOString()).toBe('2031-01-01T01:30:00.000Z');

    // A later revocation sweeps out the ids whose time has passed.
    await revokeSession(db, 'sid-c', 3600, new Date(t0.getTime() + 2 * 3600_000));
    expect(await isSessionRevoked(db, 'sid-a')).toBe(false);
    expect(await isSessionRevoked(db, 'sid-c')).toBe(true);
  });
});
