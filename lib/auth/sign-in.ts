/**
 * Who may sign in, decided apart from Auth.js (lib/auth/config.ts wires these in): an email and
 * password within the sign-in limits, or a single sign-on identity whose email the provider has
 * verified and that belongs to a member of a project. Creates a user only through the `join` it
 * is handed (KEYWARD_OIDC_ALLOW_NEW_USERS).
 */
import type { Profile } from 'next-auth';
import { z } from 'zod';
import { rateLimitBucket } from '@/lib/api/client-address';
import { hasErrorCode } from '@/lib/errors';
import { userNameSchema } from '@/lib/users/schemas';
import type { User } from '@/lib/users/users';
import { reserveAttempt, type SignInLimiters } from './sign-in-limiter';

type UserWithHash = User & { passwordHash: string | null };

export type CredentialsDeps = {
  findUser(email: string): Promise<UserWithHash | undefined>;
  /** Must take as long for an unknown user (`hash` undefined) as for a known one. */
  verifyPassword(hash: string | null | undefined, password: string): Promise<boolean>;
  limiters: SignInLimiters;
  now?: () => number;
};

export type CredentialsVerdict = { ok: true; user: User } | { ok: false; retryAfterSeconds?: number };

const credentialsInput = z.object({ email: z.string().max(254), password: z.string().max(256) });

/**
 * Every attempt is counted against its email and its address before the password is checked,
 * and forgiven only when it succeeds. An error on the way (the database away) stays counted.
 */
export async function checkCredentials(raw: unknown, address: string, deps: CredentialsDeps): Promise<CredentialsVerdict> {
  const parsed = credentialsInput.safeParse(raw);
  const email = parsed.success ? parsed.data.email.trim().toLowerCase() : '';
  const emailKey = `email:${email}`;
  const { byEmail, byAddress } = deps.limiters;
  const reservation = reserveAttempt(
    [
      [byEmail, emailKey],
      [byAddress, `address:${rateLimitBucket(address)}`],
    ],
    deps.now?.(),
  );
  if (!reservation.granted) return { ok: false, retryAfterSeconds: Math.ceil(reservation.retryAfterMs / 1000) };

  const user = parsed.success ? await deps.findUser(email) : undefined;
  const valid = await deps.verifyPassword(user?.passwordHash, parsed.success ? parsed.data.password : '');
  if (!user || !valid) return { ok: false };
  reservation.forgive();
  // The email's earlier failures were its owner's typos; the address keeps its count, or one
  // account of an attacker's own would wipe the address limit with each success.
  byEmail.reset(emailKey);
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

export type SsoRefusal = 'unverified' | 'not_member' | 'unknown_project';
export type SsoVerdict = { ok: true; user: User } | { ok: false; reason: SsoRefusal };

export type SsoDeps = {
  /** The user with this email, and whether they are a member of any project. */
  findUser(email: string): Promise<(User & { member: boolean }) | undefined>;
  /**
   * Only with KEYWARD_OIDC_ALLOW_NEW_USERS: creates the user and their membership together.
   * Throws not_found when the project it names does not exist.
   */
  join?: (identity: { email: string; name?: string }) => Promise<User>;
};

const ssoName = userNameSchema.optional().catch(undefined);

/**
 * Who a single sign-on identity signs in as. The provider must say the email is verified
 * (`email_verified: true`, the boolean): otherwise anyone who can register that address with the
 * provider, unverified, would become that Keyward user. A known user must be a member of a
 * project (someone removed from every project stays out); an unknown email is refused, or joins
 * through `deps.join` when the deployment lets new people in. Nothing else is ever created.
 */
export async function admitSsoIdentity(profile: Profile | undefined, deps: SsoDeps): Promise<SsoVerdict> {
  if (profile?.email_verified !== true || typeof profile.email !== 'string' || !profile.email) return { ok: false, reason: 'unverified' };
  const email = profile.email;
  const found = await deps.findUser(email);
  if (found) return found.member ? { ok: true, user: { id: found.id, email: found.email, name: found.name } } : { ok: false, reason: 'not_member' };
  if (!deps.join) return { ok: false, reason: 'not_member' };
  try {
    return { ok: true, user: await deps.join({ email, name: ssoName.parse(profile.name ?? undefined) }) };
  } catch (error) {
    if (hasErrorCode(error, 'not_found')) return { ok: false, reason: 'unknown_project' };
    // The same person's first sign-in in another tab won the race: they are a member now.
    if (hasErrorCode(error, 'conflict')) return admitSsoIdentity(profile, { findUser: deps.findUser });
    throw error;
  }
}
