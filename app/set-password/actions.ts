'use server';

import { headers } from 'next/headers';
import { clientAddress } from '@/lib/api/client-address';
import { runSignedOutAction, type ActionResult } from '@/lib/auth/action';
import { setPasswordWithToken } from '@/lib/team/password-links';
import type { SetPasswordWithTokenInput } from '@/lib/team/schemas';

/**
 * Open to signed-out visitors: the link's token is the authorization, checked in the database.
 * Attempts are limited per client address.
 */
export async function setPasswordAction(input: SetPasswordWithTokenInput): Promise<ActionResult<{ email: string }>> {
  return runSignedOutAction(async ({ db }) => setPasswordWithToken(db, input, { clientAddress: clientAddress(await headers()) }));
}
