/**
 * Auth.js: who may sign in and how a session is carried (a JWT naming the user, the session's
 * id and its sign-in time, nothing more). Roles are never put in the token; lib/auth/session.ts
 * reads them from the database on every request. The decisions live in plain functions:
 * lib/auth/sign-in.ts (passwords within the sign-in limits, verified single sign-on emails of
 * members), lib/auth/sso-settings.ts (the OpenID provider, and who may join through it),
 * lib/auth/session-token.ts (when a session ends), lib/auth/session-events.ts (sign-in and
 * sign-out, with their events in each project's audit log). Signing out revokes the session's
 * id in the database (lib/auth/revoked-sessions.ts), so a copied cookie dies with it.
 */
import { headers } from 'next/headers';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { getDb } from '@/db/client';
import { clientAddress } from '@/lib/api/client-address';
import { loadSecrets } from '@/lib/config/secrets';
import { ssoMembers } from '@/lib/team/sso-join';
import { logger } from '@/lib/log/logger';
import { recordSignInFailure } from '@/lib/metrics/recorder';
import { findUserByEmail } from '@/lib/users/users';
import { authErrorLine } from './auth-log';
import { verifyPassword } from './password';
import { sessionStanding } from './revoked-sessions';
import { beginSession, endSession } from './session-events';
import { continueSession, SESSION_IDLE_SECONDS, sessionAbsoluteSeconds } from './session-token';
import { admitSsoIdentity, checkCredentials, type SsoRefusal } from './sign-in';
import { signInLimiters } from './sign-in-limiter';
import { newUserPolicy, oidcClient } from './sso-settings';

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
  recordSignInFailure(verdict.retryAfterSeconds ? 'rate_limited' : 'invalid_credentials');
  if (verdict.retryAfterSeconds) throw new TooManySignInAttempts(verdict.retryAfterSeconds);
  return null;
}

function oidcProvider(): NextAuthConfig['providers'] {
  const client = oidcClient();
  if (!client) return [];
  return [
    {
      id: 'oidc',
      name: 'Single sign-on',
      type: 'oidc',
      ...client,
      // PKCE and state both: the code is useless to anyone but this browser's sign-in, and the
      // callback answers only the request this browser began.
      checks: ['pkce', 'state'],
      // The email and email_verified claims are read from the userinfo endpoint: a provider that
      // issues an access token may leave them out of the ID token (OpenID Connect Core 5.4).
      idToken: false,
    },
  ];
}

export function oidcEnabled(): boolean {
  return oidcProvider().length > 0;
}

/** Where a refused single sign-on lands: the login page, saying why. */
function ssoRefused(reason: SsoRefusal): string {
  if (reason === 'unknown_project') {
    console.error(`[auth] single sign-on: KEYWARD_OIDC_ALLOW_NEW_USERS names project "${newUserPolicy()?.projectSlug}", which does not exist; a new person was refused.`);
  }
  return `/login?${new URLSearchParams({ error: 'AccessDenied', code: `sso_${reason}` })}`;
}

/** The address of the request signing in or out (a route handler or a server action). */
async function requestAddress(): Promise<string | null> {
  try {
    return clientAddress(await headers());
  } catch {
    return null;
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: loadSecrets().authSecret,
  trustHost: true,
  session: { strategy: 'jwt', maxAge: SESSION_IDLE_SECONDS },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    Credentials({
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      authorize: authorizeCredentials,
    }),
    ...oidcProvider(),
  ],
  callbacks: {
    // Single sign-on admits a verified email of a member of a project, or, when the deployment
    // allows it, a new person into the configured project (lib/auth/sign-in.ts).
    async signIn({ account, profile }) {
      if (account?.provider !== 'oidc') return true;
      const verdict = await admitSsoIdentity(profile, ssoMembers(getDb(), newUserPolicy()));
      if (verdict.ok) return true;
      recordSignInFailure('sso_refused');
      return ssoRefused(verdict.reason);
    },
    async jwt({ token, user, account, profile }) {
      if (user) {
        const method = account?.provider === 'oidc' ? 'sso' : 'password';
        const admitted = method === 'sso' ? await admitSsoIdentity(profile, ssoMembers(getDb())) : undefined;
        const userId = admitted ? (admitted.ok ? admitted.user.id : undefined) : user.id;
        if (!userId) return null;
        // Here, where the session is made: no session without its audit events. If they cannot
        // be written, the sign-in fails with Auth.js's error rather than go unrecorded.
        return { ...token, ...(await beginSession(getDb(), userId, method, await requestAddress())) };
      }
      return continueSession(token, {
        lookup: (userId, sessionId) => sessionStanding(getDb(), userId, sessionId),
        absoluteSeconds: sessionAbsoluteSeconds(),
      });
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    // Every copy of the cookie dies with the sign-out, not only the browser's. Auth.js clears
    // this browser's cookie even if it throws.
    async signOut(message) {
      const token = 'token' in message ? message.token : null;
      if (token) await endSession(getDb(), token, { absoluteSeconds: sessionAbsoluteSeconds(), clientAddress: await requestAddress() });
    },
  },
  logger: {
    // Auth.js logs whole errors (stacks, causes); keep one line and never the request body.
    error(error) {
      if (error instanceof CredentialsSignin) return;
      logger().error(authErrorLine(error));
    },
    warn(code) {
      logger().warn(`[auth] warning ${code}`);
    },
    debug() {},
  },
}));
