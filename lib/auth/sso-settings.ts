/**
 * Single sign-on settings from the environment, read in one place and checked at start-up
 * (lib/setup/prepare.ts), so a typo stops the server with one clear line instead of failing a
 * person at the login page:
 * - AUTH_OIDC_ISSUER, AUTH_OIDC_ID, AUTH_OIDC_SECRET: the OpenID provider and Keyward's client
 *   there. All three or none. The issuer is https, or http on this machine's loopback only: the
 *   client secret and the tokens travel to it.
 * - KEYWARD_OIDC_ALLOW_NEW_USERS=<project>:<role> (unset: off): a person the provider vouches for
 *   who has no Keyward account yet joins that project with that role at their first sign-in.
 *   Whether the project exists is checked at sign-in: it may be created after start-up.
 * Never logs or echoes the client secret.
 */
import type { Role } from '@/db/schema';
import { projectSlugSchema } from '@/lib/projects/schemas';
import { roleSchema } from '@/lib/users/schemas';

export type OidcClient = { issuer: string; clientId: string; clientSecret: string };
export type NewUserPolicy = { projectSlug: string; role: Role };
type Env = Record<string, string | undefined>;

const CLIENT_VARIABLES = ['AUTH_OIDC_ISSUER', 'AUTH_OIDC_ID', 'AUTH_OIDC_SECRET'] as const;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

function checkIssuer(issuer: string): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`AUTH_OIDC_ISSUER must be the provider's URL (https://…), got "${issuer}".`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) return;
  throw new Error(`AUTH_OIDC_ISSUER must use https (plain http only on this machine's loopback), got "${issuer}".`);
}

/** The OpenID provider Keyward signs people in with, or undefined when single sign-on is off. */
export function oidcClient(env: Env = process.env): OidcClient | undefined {
  const missing = CLIENT_VARIABLES.filter((name) => !env[name]);
  if (missing.length === CLIENT_VARIABLES.length) return undefined;
  if (missing.length > 0) throw new Error(`Single sign-on needs AUTH_OIDC_ISSUER, AUTH_OIDC_ID and AUTH_OIDC_SECRET together; ${missing.join(' and ')} unset.`);
  checkIssuer(env.AUTH_OIDC_ISSUER!);
  return { issuer: env.AUTH_OIDC_ISSUER!, clientId: env.AUTH_OIDC_ID!, clientSecret: env.AUTH_OIDC_SECRET! };
}

/** Who single sign-on lets in without an account: nobody (undefined, the default), or a project and role. */
export function newUserPolicy(env: Env = process.env): NewUserPolicy | undefined {
  const raw = env.KEYWARD_OIDC_ALLOW_NEW_USERS?.trim();
  if (!raw) return undefined;
  const malformed = (why: string) => new Error(`KEYWARD_OIDC_ALLOW_NEW_USERS must be <project>:<role>, e.g. "acme:member"; ${why} (got "${raw}").`);
  const parts = raw.split(':');
  if (parts.length !== 2) throw malformed('one colon between the project and the role');
  const slug = projectSlugSchema.safeParse(parts[0]);
  if (!slug.success) throw malformed(slug.error.issues[0]!.message.replace(/\.$/, ''));
  const role = roleSchema.safeParse(parts[1]!.trim());
  if (!role.success) throw malformed(`the role "${parts[1]!.trim()}" is neither admin nor member`);
  if (!oidcClient(env)) throw new Error('KEYWARD_OIDC_ALLOW_NEW_USERS is set but single sign-on is not: set AUTH_OIDC_ISSUER, AUTH_OIDC_ID and AUTH_OIDC_SECRET too.');
  return { projectSlug: slug.data, role: role.data };
}

/** Both settings, as start-up checks them: throws with a clear message for any malformed one. */
export function checkSsoSettings(env: Env = process.env): void {
  oidcClient(env);
  newUserPolicy(env);
}
