'use server';

import { redirect } from 'next/navigation';
import { AuthError, CredentialsSignin } from 'next-auth';
import { signIn, TooManySignInAttempts } from '@/lib/auth/config';
import { safeCallbackUrl } from '@/lib/auth/callback-url';

export type SignInState = { error?: string; email?: string };

/** Signs in with email and password through Auth.js; the limiter lives in authorize(). */
export async function signInWithPassword(_previous: SignInState, form: FormData): Promise<SignInState> {
  // Anyone can post to an action: anything but the login form's own FormData is refused plainly.
  if (!(form instanceof FormData)) return { error: 'Incorrect email or password.' };
  const email = String(form.get('email') ?? '').slice(0, 254);
  try {
    await signIn('credentials', {
      email,
      password: String(form.get('password') ?? ''),
      redirectTo: safeCallbackUrl(form.get('callbackUrl')),
    });
    return {};
  } catch (error) {
    if (error instanceof TooManySignInAttempts) {
      return { email, error: `Too many attempts, try again in ${error.retryAfterSeconds} s.` };
    }
    if (error instanceof CredentialsSignin) return { email, error: 'Incorrect email or password.' };
    // Not the password's fault: the database away, or the sign-in's audit events not written.
    if (error instanceof AuthError) return { email, error: 'Sign-in failed. Try again.' };
    // A successful sign-in "throws" Next's redirect; let it through.
    throw error;
  }
}

/**
 * Sends the browser to the identity provider. Auth.js reads the provider's discovery document
 * first; when that fails (the provider down or unreachable) it answers with its error page, and
 * the login page says so plainly instead, with the password form still there.
 */
export async function signInWithSso(form: FormData): Promise<void> {
  if (!(form instanceof FormData)) return;
  const callbackUrl = safeCallbackUrl(form.get('callbackUrl'));
  const next = await signIn('oidc', { redirectTo: callbackUrl, redirect: false });
  // An authorization request names Keyward's client at the provider; anything else is Auth.js's error page.
  if (!new URL(next).searchParams.has('client_id')) redirect(`/login?${new URLSearchParams({ error: 'SsoUnavailable', callbackUrl })}`);
  redirect(next);
}
