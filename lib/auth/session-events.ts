/**
 * A session's beginning and end, with their audit events. Audit events belong to a project, so
 * a sign-in or sign-out is written into each project the user is a member of, in one
 * transaction. Only what a user does with their own session is written: a failed sign-in names
 * no user and is never recorded in a project, or anyone could write into any project's log.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { memberships, users } from '@/db/schema';
import { recordChange } from '@/lib/changes/record';
import { errorKind } from '@/lib/errors';
import { logger } from '@/lib/log/logger';
import { recordDatabaseError } from '@/lib/metrics/recorder';
import { revokeSession, sessionStanding } from './revoked-sessions';
import { continueSession, SESSION_IDLE_SECONDS, startSession, type SessionClaims } from './session-token';

export type SessionAuditAction = 'user.signed_in' | 'user.signed_out';
export type SignInMethod = 'password' | 'sso';

export type SessionAuditDetails = {
  sessionId: string;
  clientAddress?: string | null;
  /** How the session began; only sign-ins know it. */
  method?: SignInMethod;
};

export async function recordSessionEvent(db: Db, userId: string, action: SessionAuditAction, details: SessionAuditDetails): Promise<void> {
  const { sessionId, clientAddress, method } = details;
  await db.transaction(async (tx) => {
    const projects = await tx
      .select({ projectId: memberships.projectId, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.userId, userId));
    for (const { projectId, email } of projects) {
      await recordChange(
        tx,
        { projectId, actorType: 'user', actorId: userId, actorLabel: email, clientAddress },
        { action, targetType: 'user', targetId: userId, metadata: method ? { method, sessionId } : { sessionId } },
      );
    }
  });
}

/**
 * The claims of a new session, once its sign-in is in the audit log. If the events cannot be
 * written this throws and there is no session: a sign-in nobody can see afterwards is what an
 * attacker with a stolen password would want, and every other change in Keyward already fails
 * when its audit row cannot be written.
 */
export async function beginSession(db: Db, userId: string, method: SignInMethod, clientAddress: string | null, now = Date.now()): Promise<SessionClaims> {
  const claims = startSession(userId, now);
  await recordSessionEvent(db, userId, 'user.signed_in', { sessionId: claims.sid, method, clientAddress });
  return claims;
}

export type EndSessionOptions = { absoluteSeconds: number; clientAddress: string | null; now?: number };

/**
 * Signing out: revokes the session's id everywhere, then records the sign-out if the session was
 * still live (a cookie already revoked or expired signs out without a new event). The
 * revocation is what matters, so an audit write that fails is logged, not thrown.
 */
export async function endSession(db: Db, token: { sub?: unknown; sid?: unknown; signedInAt?: unknown }, options: EndSessionOptions): Promise<void> {
  if (typeof token.sid !== 'string') return;
  const now = options.now ?? Date.now();
  const live = await continueSession(token, {
    lookup: (userId, sessionId) => sessionStanding(db, userId, sessionId),
    absoluteSeconds: options.absoluteSeconds,
    now,
  });
  await revokeSession(db, token.sid, SESSION_IDLE_SECONDS, new Date(now));
  if (!live || typeof live.sub !== 'string') return;
  await recordSessionEvent(db, live.sub, 'user.signed_out', { sessionId: token.sid, clientAddress: options.clientAddress }).catch((error: unknown) => {
    recordDatabaseError(error);
    logger().error(`[auth] sign-out not audited: ${errorKind(error)}`);
  });
}
