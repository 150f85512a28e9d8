/**
 * Single-use links to set a password, for users an administrator adds to a team. The token
 * (256 random bits) travels in the link's fragment — `/set-password#token=…` — so it never
 * reaches a server log, a proxy or a Referer header; only its SHA-256 is stored. A link works
 * once, for 24 hours, and setting the password spends every other link of that user too.
 * Using a link is open to anyone, so attempts are limited per client address, and a token is
 * looked up before any password is hashed: a guessed token costs one indexed read, not argon2.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { passwordTokens } from '@/db/schema';
import { rateLimitBucket } from '@/lib/api/client-address';
import { userAuditActor } from '@/lib/audit/user-actor';
import { hashPassword } from '@/lib/auth/password';
import { SlidingWindowLimiter } from '@/lib/auth/sign-in-limiter';
import { positiveIntFromEnv } from '@/lib/config/env';
import { DomainError, parseInput } from '@/lib/errors';
import { storePassword } from '@/lib/users/users';
import { setPasswordWithTokenInput, type SetPasswordWithTokenInput } from './schemas';

export const PASSWORD_LINK_LIFETIME_MS = 24 * 60 * 60 * 1000;
const INVALID_LINK = 'This link is invalid, has expired or was already used. Ask an administrator for a new one.';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function passwordLink(baseUrl: string, token: string): string {
  return `${baseUrl}/set-password#token=${token}`;
}

/** Creates a link's token for `userId`; returns the token, which is not kept anywhere. */
export async function createPasswordToken(tx: Db | Tx, userId: string, createdBy: string | null, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tx.insert(passwordTokens).values({
    userId,
    createdBy,
    tokenHash: hashToken(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + PASSWORD_LINK_LIFETIME_MS),
  });
  return token;
}

const globalForLimiter = globalThis as unknown as { keywardSetPasswordLimiter?: SlidingWindowLimiter };

/** Attempts to use a link, per client address: 10 per 15 minutes unless the environment says otherwise. */
export function setPasswordLimiter(): SlidingWindowLimiter {
  globalForLimiter.keywardSetPasswordLimiter ??= new SlidingWindowLimiter({
    maxFailures: positiveIntFromEnv('KEYWARD_SET_PASSWORD_MAX_ATTEMPTS_PER_ADDRESS', 10),
    windowMs: positiveIntFromEnv('KEYWARD_SET_PASSWORD_WINDOW_SECONDS', 15 * 60) * 1000,
  });
  return globalForLimiter.keywardSetPasswordLimiter;
}

function tooManyAttempts(waitMs: number): DomainError {
  const seconds = Math.ceil(waitMs / 1000);
  const wait = seconds <= 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return new DomainError('rate_limited', `Too many attempts to set a password from this address. Try again in ${wait}.`);
}

export type SetPasswordContext = {
  clientAddress?: string | null;
  now?: Date;
  /** The password hasher; tests count its calls. */
  hash?: (password: string) => Promise<string>;
  limiter?: SlidingWindowLimiter;
};

function findUsableLink(tx: Db | Tx, token: string, now: Date) {
  return tx
    .select({ id: passwordTokens.id, userId: passwordTokens.userId })
    .from(passwordTokens)
    .where(and(eq(passwordTokens.tokenHash, hashToken(token)), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, now)))
    .limit(1);
}

/**
 * Sets the password of the link's user, spends the link and ends the user's other sessions;
 * audited in each of the user's projects, with the user as the actor. Returns the user's email,
 * for sign-in.
 */
export async function setPasswordWithToken(db: Db, input: SetPasswordWithTokenInput, context: SetPasswordContext = {}): Promise<{ email: string }> {
  const { clientAddress = null, now = new Date(), hash = hashPassword, limiter = setPasswordLimiter() } = context;
  // Every attempt counts before any work, so parallel attempts cannot all pass the check at once.
  const bucket = rateLimitBucket(clientAddress ?? 'unknown');
  const waitMs = limiter.retryAfterMs(bucket, now.getTime());
  if (waitMs > 0) throw tooManyAttempts(waitMs);
  limiter.recordFailure(bucket, now.getTime());

  const { token, password } = parseInput(setPasswordWithTokenInput, input);
  const invalidLink = () => new DomainError('invalid_input', INVALID_LINK, { token: [INVALID_LINK] });
  // Outside any transaction: the hash below takes a while, and PGlite runs one transaction at a time.
  const [candidate] = await findUsableLink(db, token, now);
  if (!candidate) throw invalidLink();
  const passwordHash = await hash(password);
  return db.transaction(async (tx) => {
    // Again, locked: a concurrent use of the same link may have spent it meanwhile.
    const [link] = await findUsableLink(tx, token, now).for('update');
    if (!link) throw invalidLink();
    const by = { actorIn: (projectId: string) => userAuditActor(tx, projectId, link.userId, clientAddress), via: 'link' as const };
    const user = await storePassword(tx, link.userId, passwordHash, by, now);
    await tx
      .update(passwordTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordTokens.userId, link.userId), isNull(passwordTokens.usedAt)));
    return { email: user.email };
  });
}
