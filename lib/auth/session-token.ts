/**
 * What a session's token carries and when it ends, apart from Auth.js (lib/auth/config.ts wires
 * it into the jwt callback). A token names the user (`sub`), the session (`sid`, what signing
 * out revokes) and the moment of sign-in (`signedInAt`, kept across the cookie's refreshes). A
 * session ends when it has been idle for 12 hours (the cookie's own expiry), when it is older
 * than the absolute lifetime however busy it is, when it was signed out, when its user's
 * sessions were cut off after it began (users.sessions_valid_from), or when its user is gone.
 */
import { randomUUID } from 'node:crypto';
import { positiveIntFromEnv } from '@/lib/config/env';

/** The cookie slides: a session unused for this long is over. */
export const SESSION_IDLE_SECONDS = 12 * 60 * 60;

/**
 * However busy, a session is over this long after its sign-in: a stolen cookie kept in use
 * lives no longer. A day costs a person at most one sign-in a day (a night's gap usually ends
 * the session anyway, through the idle limit).
 */
export function sessionAbsoluteSeconds(): number {
  return positiveIntFromEnv('KEYWARD_SESSION_ABSOLUTE_HOURS', 24) * 60 * 60;
}

export type SessionClaims = { sub: string; sid: string; signedInAt: number };

export function startSession(userId: string, now = Date.now()): SessionClaims {
  return { sub: userId, sid: randomUUID(), signedInAt: now };
}

/** What the database says of a session: one query (revoked-sessions.ts sessionStanding). */
export type SessionStanding = { revoked: boolean; validFrom: Date | null };

export type SessionEnd = 'unnamed' | 'expired' | 'revoked' | 'cut_off' | 'no_user';

type TokenLike = { sub?: unknown; sid?: unknown; signedInAt?: unknown };

function hasClaims<T extends TokenLike>(token: T): token is T & SessionClaims {
  return typeof token.sub === 'string' && typeof token.sid === 'string' && typeof token.signedInAt === 'number';
}

/**
 * Why a session is over, or undefined while it stands. `standing` undefined: the user is gone;
 * 'unknown': the database could not be asked, and only the token's own times are judged.
 */
export function sessionEnd(token: TokenLike, standing: SessionStanding | undefined | 'unknown', now: number, absoluteSeconds: number): SessionEnd | undefined {
  // Tokens from before sids, or before signedInAt, sign in again.
  if (!hasClaims(token)) return 'unnamed';
  if (now >= token.signedInAt + absoluteSeconds * 1000) return 'expired';
  if (standing === 'unknown') return undefined;
  if (!standing) return 'no_user';
  if (standing.revoked) return 'revoked';
  if (standing.validFrom && token.signedInAt < standing.validFrom.getTime()) return 'cut_off';
  return undefined;
}

export type ContinueOptions = {
  lookup(userId: string, sessionId: string): Promise<SessionStanding | undefined>;
  absoluteSeconds: number;
  now?: number;
};

/**
 * The token of a later request, or null to end the session (Auth.js then clears the cookie).
 * At most one query, and none for a token its own times already end. With the database away
 * the session stands: everything a request does needs the database too and fails there, with
 * the outage message instead of a sign-in page.
 */
export async function continueSession<T extends TokenLike>(token: T, options: ContinueOptions): Promise<T | null> {
  const now = options.now ?? Date.now();
  if (!hasClaims(token) || sessionEnd(token, 'unknown', now, options.absoluteSeconds)) return null;
  const standing = await options.lookup(token.sub, token.sid).catch(() => 'unknown' as const);
  return sessionEnd(token, standing, now, options.absoluteSeconds) ? null : token;
}
