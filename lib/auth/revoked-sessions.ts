/**
 * Signing out ends the session everywhere its cookie went, not only in the browser that signed
 * out: each session carries an id (`sid`, set at sign-in), signing out records it here until no
 * copy of its cookie can still be valid, and every session read (lib/auth/config.ts, the jwt
 * callback) refuses a recorded id. A stolen cookie dies with the sign-out.
 */
import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { revokedSessions } from '@/db/schema';

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

export async function isSessionRevoked(db: Db, sessionId: string): Promise<boolean> {
  const [row] = await db.select({ one: sql`1` }).from(revokedSessions).where(eq(revokedSessions.sessionId, sessionId)).limit(1);
  return row !== undefined;
}
