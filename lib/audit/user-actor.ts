/** How the audit log names a signed-in user acting on a project: their email at the time. */
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { users } from '@/db/schema';
import type { AuditActor } from './record';

export async function userAuditActor(tx: Db | Tx, projectId: string, userId: string, clientAddress?: string | null): Promise<AuditActor> {
  const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  return { projectId, actorType: 'user', actorId: userId, actorLabel: user?.email ?? 'unknown user', clientAddress };
}
