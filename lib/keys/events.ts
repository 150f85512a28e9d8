/**
 * In-process notice that a key changed or went away, published after the change commits.
 * The verification cache listens here to drop entries at once on this node.
 */
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
