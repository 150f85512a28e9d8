/**
 * Single-use links to set a password, for users an administrator adds to a team. The token
 * (256 random bits) travels in the link's fragment — `/set-password#token=…` — so it never
 * reaches a server log, a proxy or a Referer header; only its SHA-256 is stored. A link works
 * once, for 24 hours, and setting the password spends every other link of that user too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { passwordTokens, users } from '@/db/schema';
import { hashPassword } from '@/lib/auth/password';
import { DomainError, invalidInput } from '@/lib/errors';
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

/** Sets the password of the link's user and spends the link; the user's email, for sign-in. */
export async function setPasswordWithToken(db: Db, input: SetPasswordWithTokenInput, now = new Date()): Promise<{ email: string }> {
  const parsed = setPasswordWithTokenInput.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const passwordHash = await hashPassword(parsed.data.password);
  return db.transaction(async (tx) => {
    const [link] = await tx
      .select({ id: passwordTokens.id, userId: passwordTokens.userId })
      .from(passwordTokens)
      .where(and(eq(passwordTokens.tokenHash, hashToken(parsed.data.token)), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, now)))
      .for('update')
      .limit(1);
    if (!link) throw new DomainError('invalid_input', INVALID_LINK, { token: [INVALID_LINK] });
    const [user] = await tx.update(users).set({ passwordHash }).where(eq(users.id, link.userId)).returning({ email: users.email });
    await tx
      .update(passwordTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordTokens.userId, link.userId), isNull(passwordTokens.usedAt)));
    return { email: user!.email };
  });
}
