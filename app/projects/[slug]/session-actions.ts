'use server';

import { signOut } from '@/lib/auth/config';

/** Ends the session (the JWT cookie is cleared) and returns to the sign-in page. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/login' });
}
