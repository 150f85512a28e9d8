import type { Metadata } from 'next';
import { SetPasswordForm } from './set-password-form';

export const metadata: Metadata = { title: 'Set your password', referrer: 'no-referrer' };

export default function SetPasswordPage() {
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="mb-1 text-2xl font-semibold">Set your password</h1>
      <p className="mb-6 text-sm text-zinc-600">Choose a password for Keyward. This link works once.</p>
      <SetPasswordForm />
    </main>
  );
}
