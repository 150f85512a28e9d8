'use server';

import { runSignedOutAction, type ActionResult } from '@/lib/auth/action';
import { setPasswordWithToken } from '@/lib/team/password-links';
import type { SetPasswordWithTokenInput } from '@/lib/team/schemas';

/** Open to signed-out visitors: the link's token is the authorization, checked in the database. */
export async function setPasswordAction(input: SetPasswordWithTokenInput): Promise<ActionResult<{ email: string }>> {
  return runSignedOutAction(({ db }) => setPasswordWithToken(db, input));
}
