/**
 * Calls a server action from the browser; a network failure (the request never got an answer)
 * becomes an ordinary failed result, so every form shows one message for it.
 */
import type { ActionResult } from '@/lib/auth/action';

const UNREACHABLE: ActionResult<never> = { ok: false, code: 'internal', error: 'Could not reach Keyward. Check your connection and try again.' };

export function reach<T>(call: Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  return call.catch(() => UNREACHABLE);
}
