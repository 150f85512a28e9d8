import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { safeCallbackUrl } from '@/lib/auth/callback-url';
import { oidcEnabled } from '@/lib/auth/config';
import { currentUser } from '@/lib/auth/session';
import { signInWithSso } from './actions';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

// Why single sign-on refused someone (lib/auth/config.ts sends the code).
const SSO_REFUSALS = new Map([
  ['sso_not_member', 'Single sign-on is open only to members of a Keyward project. Ask a project administrator to add you.'],
  ['sso_unverified', 'Your identity provider did not confirm that your email address is verified, so Keyward cannot sign you in with it.'],
  ['sso_unknown_project', 'Single sign-on cannot add new people right now: the project it adds them to does not exist. Tell whoever runs Keyward.'],
]);

// Errors that arrive in the URL when Auth.js's own endpoints, or the single sign-on button, redirect here.
function errorFromQuery(error?: string, code?: string): string | undefined {
  const wait = /^rate_limited_(\d+)$/.exec(code ?? '');
  if (wait) return `Too many attempts, try again in ${wait[1]} s.`;
  if (error === 'CredentialsSignin') return 'Incorrect email or password.';
  if (error === 'AccessDenied') return SSO_REFUSALS.get(code ?? '') ?? 'Single sign-on is open only to existing Keyward members.';
  if (error === 'SsoUnavailable') return 'Single sign-on is unavailable: Keyward could not reach the identity provider. Try again later, or sign in with your password.';
  if (error) return 'Sign-in failed. Try again.';
  return undefined;
}

type Search = { callbackUrl?: string; error?: string; code?: string };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  const callbackUrl = safeCallbackUrl(search.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="mb-1 text-2xl font-semibold">Sign in to Keyward</h1>
      <p className="mb-6 text-sm text-zinc-600">Manage your project&apos;s API keys.</p>
      <LoginForm callbackUrl={callbackUrl} initialError={errorFromQuery(search.error, search.code)} />
      {oidcEnabled() ? (
        <form action={signInWithSso} className="mt-4">
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          {/* Not "Sign in with…": "Sign in" must name one button on this page (DESIGN.md, console contract). */}
          <Button type="submit" variant="secondary" className="w-full">
            Continue with single sign-on
          </Button>
        </form>
      ) : null}
    </main>
  );
}
