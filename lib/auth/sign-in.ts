/**
 * Who may sign in, decided apart from Auth.js (lib/auth/config.ts wires these in): an email and
 * password within the sign-in limits, or a single sign-on identity whose email the provider has
 * verified and that belongs to an existing user. Never creates a user.
 */
import type { Profile } from 'next-auth';
import { z } from 'zod';
import { rateLimitBucket } from '@/lib/api/client-address';
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

/**
 * The existing user a single sign-on identity signs in as, if any. The provider must say the
 * email is verified (`email_verified: true`, the boolean): otherwise anyone who can register
 * that address with the provider, unverified, would become that Keyward user.
 */
export async function ssoUser(profile: Profile | undefined, findUser: (email: string) => Promise<User | undefined>): Promise<User | undefined> {
  if (profile?.email_verified !== true || typeof profile.email !== 'string' || !profile.email) return undefined;
  return findUser(profile.email);
}
