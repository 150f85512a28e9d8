/**
 * The wrapper every server action runs its body in: it finds the signed-in user in the
 * database, runs one domain function (which authorizes for the project and validates), and
 * returns a typed result. Deliberately not a 'use server' module: only actions files are.
 */
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import { getDb, type Db } from '@/db/client';
import { clientAddress } from '@/lib/api/client-address';
import { DomainError, errorKind, isDatabaseUnavailable, type DomainErrorCode, type FieldErrors } from '@/lib/errors';
import { logger } from '@/lib/log/logger';
import { recordDatabaseError } from '@/lib/metrics/recorder';
import type { User } from '@/lib/users/users';
import type { Actor } from './authorize';
import { currentUser } from './session';

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; code: DomainErrorCode | 'internal'; error: string; fieldErrors?: FieldErrors };

export async function runAction<T>(body: (ctx: { db: Db; user: User }) => Promise<T>): Promise<ActionResult<T>> {
  // Finding the user reads the database too: an outage here gets the same clear answer.
  return settle(async () => {
    const user = await currentUser();
    if (!user) throw new DomainError('unauthorized', 'Your session has ended. Sign in again.');
    return body({ db: getDb(), user });
  });
}

/** What a project action's success refreshes: a path, or with `layout` every page under it. */
export type Refresh = { path: string; type?: 'layout' | 'page' };

/**
 * Every project action: the signed-in user acting on project `slug`, one domain function, and
 * on success `refresh` revalidated (null: the page that asked is being left, nothing to
 * refresh). The slug comes from the browser and is untrusted: the domain function authorizes
 * the actor for it, against the database.
 */
export async function projectAction<T>(slug: unknown, operation: (db: Db, actor: Actor) => Promise<T>, refresh: Refresh | null): Promise<ActionResult<T>> {
  const result = await runAction(async ({ db, user }) =>
    operation(db, { type: 'user', userId: user.id, projectSlug: String(slug), clientAddress: clientAddress(await headers()) }),
  );
  if (result.ok && refresh) revalidatePath(refresh.path, refresh.type);
  return result;
}

/** For the few actions open to visitors without a session (setting a password from a link). */
export async function runSignedOutAction<T>(body: (ctx: { db: Db }) => Promise<T>): Promise<ActionResult<T>> {
  return settle(() => body({ db: getDb() }));
}

async function settle<T>(body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (error) {
    // Lets Next's own redirect and not-found signals through.
    unstable_rethrow(error);
    if (error instanceof DomainError) {
      return { ok: false, code: error.code, error: error.message, fieldErrors: error.fieldErrors };
    }
    recordDatabaseError(error);
    if (isDatabaseUnavailable(error)) {
      return { ok: false, code: 'internal', error: 'Keyward cannot reach its database right now; nothing was changed. Try again in a moment.' };
    }
    logger().error(`[action] failed: ${errorKind(error)}`);
    return { ok: false, code: 'internal', error: 'Something went wrong; nothing was changed. Try again.' };
  }
}
