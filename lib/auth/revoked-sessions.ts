/**
 * Signing out ends the session everywhere its cookie went, not only in the browser that signed
 * out: each session carries an id (`sid`, set at sign-in), signing out records it here until no
 * copy of its cookie can still be valid, and every session read (lib/auth/config.ts, the jwt
 * callback) refuses a recorded id. A stolen cookie dies with the sign-out.
 */
import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { revokedSessions, users } from '@/db/schema';
import type { SessionStanding } from './session-token';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Records `sessionId` as ended, for `lifetimeSeconds` (the session's maximum age: a copy of the
 * cookie refreshed at the last moment lives no longer), and forgets ids whose time has passed.
 */
export async function revokeSession(db: Db, sessionId: string, lifetimeSeconds: number, now = new Date()): Promise<void> {
  const expiresAt = new Date(now.getTime() + lifetimeSeconds * 1000);
  await db.transaction(async (tx) => {
    await tx.delete(revokedSessions).where(lt(revokedSessions.expiresAt, now));
    await tx
      .insert(revokedSessions)
      .values({ sessionId, expiresAt })
      .onConflictDoUpdate({ target: revokedSessions.sessionId, set: { expiresAt: sql`greatest(${revokedSessions.expiresAt}, excluded.expires_at)` } });
  });
}

/**
 * Everything a session read needs from the database, in one query: whether the session was
 * signed out, and from when its user's sessions count (users.sessions_valid_from). Undefined
 * when the user no longer exists.
 */
export async function sessionStanding(db: Db, userId: string, sessionId: string): Promise<SessionStanding | undefined> {
  // Not a query error (which would read as "database away"): no user has such an id.
  if (!uuidPattern.test(userId)) return undefined;
  const [row] = await db
    .select({
      validFrom: users.sessionsValidFrom,
      revoked: sql<boolean>`exists (select 1 from ${revokedSessions} where ${revokedSessions.sessionId} = ${sessionId})`,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row && { revoked: Boolean(row.revoked), validFrom: row.validFrom };
}
