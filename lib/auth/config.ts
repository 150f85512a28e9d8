/**
 * Auth.js: who may sign in and how a session is carried (a JWT naming the user id and the
 * session's id, nothing more). Roles are never put in the token; lib/auth/session.ts reads them
 * from the database on every request. Signing out revokes the session's id in the database
 * (lib/auth/revoked-sessions.ts), so a copied cookie dies with it. Who may sign in is decided in
 * lib/auth/sign-in.ts: passwords within the sign-in limits, single sign-on with a verified email.
 */
import { randomUUID } from 'node:crypto';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { getDb } from '@/db/client';
import { loadSecrets } from '@/lib/config/secrets';
import { findUserByEmail } from '@/lib/users/users';
import { verifyPassword } from './password';
import { isSessionRevoked, revokeSession } from './revoked-sessions';
import { clientAddress } from '@/lib/api/client-address';
import { checkCredentials, ssoUser } from './sign-in';
import { signInLimiters } from './sign-in-limiter';

/** Thrown while an email or address is locked out; the login page shows the wait. */
export class TooManySignInAttempts extends CredentialsSignin {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many sign-in attempts');
    this.code = `rate_limited_${retryAfterSeconds}`;
  }
}

async function authorizeCredentials(raw: unknown, request: Request) {
  const verdict = await checkCredentials(raw, clientAddress(request.headers), {
    findUser: (email) => findUserByEmail(getDb(), email),
    verifyPassword,
    limiters: signInLimiters(),
  });
  if (verdict.ok) return verdict.user;
  if (verdict.retryAfterSeconds) throw new TooManySignInAttempts(verdict.retryAfterSeconds);
  return null;
}

function oidcProvider(): NextAuthConfig['providers'] {
  const { AUTH_OIDC_ISSUER: issuer, AUTH_OIDC_ID: clientId, AUTH_OIDC_SECRET: clientSecret } = process.env;
  if (!issuer || !clientId || !clientSecret) return [];
  return [{ id: 'oidc', name: 'Single sign-on', type: 'oidc', issuer, clientId, clientSecret }];
}

export function oidcEnabled(): boolean {
  return oidcProvider().length > 0;
}

const findSsoUser = (email: string) => findUserByEmail(getDb(), email);

/** A session's longest life: the cookie slides, but never past this since its last use. */
const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: loadSecrets().authSecret,
  trustHost: true,
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    Credentials({
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      authorize: authorizeCredentials,
    }),
    ...oidcProvider(),
  ],
  callbacks: {
    // Single sign-on admits only people who already have a Keyward account with that email,
    // and only when the provider has verified it.
    async signIn({ account, profile }) {
      if (account?.provider !== 'oidc') return true;
      return Boolean(await ssoUser(profile, findSsoUser));
    },
    async jwt({ token, user, account, profile }) {
      if (user) {
        token.sub = account?.provider === 'oidc' ? (await ssoUser(profile, findSsoUser))?.id : user.id;
        // The session's own id, kept across the cookie's refreshes: signing out revokes it.
        token.sid = randomUUID();
        return token;
      }
      // Every later read. A session without an id predates revocation: it signs in again.
      if (typeof token.sid !== 'string') return null;
      // With the database away the session stands: everything a request does needs the database
      // too and fails there, with the outage message instead of a sign-in page.
      const revoked = await isSessionRevoked(getDb(), token.sid).catch(() => false);
      return revoked ? null : token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    // Every copy of the cookie dies with the sign-out, not only the browser's.
    async signOut(message) {
      const sid = 'token' in message ? message.token?.sid : undefined;
      if (typeof sid === 'string') await revokeSession(getDb(), sid, SESSION_MAX_AGE_SECONDS);
    },
  },
  logger: {
    // Auth.js logs whole errors (stacks, causes); keep one line and never the request body.
    error(error) {
      if (error instanceof CredentialsSignin) return;
      console.error(`[auth] ${error.name}: ${error.message}`);
    },
    warn(code) {
      console.warn(`[auth] warning ${code}`);
    },
    debug() {},
  },
}));
