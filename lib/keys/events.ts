/**
 * Notice that a key changed or went away. In this process it is published after the change
 * commits; other nodes on the same PostgreSQL hear it through NOTIFY on KEY_CHANNEL, sent in
 * the change's own transaction (so only committed changes are announced). The verification
 * cache listens here to drop entries at once.
 */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';

export const KEY_CHANNEL = 'keyward_key_changes';

/** Inside the change's transaction: tells every node listening on PostgreSQL. */
export async function announceKeyChange(tx: Db | Tx, publicId: string): Promise<void> {
  await tx.execute(sql`select pg_notify(${KEY_CHANNEL}, ${publicId})`);
}
type Listener = (change: { projectId: string; publicId: string; kind: 'deleted' | 'updated' | 'rotated' }) => void;

const globalForEvents = globalThis as unknown as { keywardKeyListeners?: Set<Listener> };
const listeners = (globalForEvents.keywardKeyListeners ??= new Set());

export function onKeyChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function keyChanged(change: Parameters<Listener>[0]): void {
  for (const listener of listeners) listener(change);
}
