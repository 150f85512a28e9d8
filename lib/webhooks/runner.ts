/**
 * Runs the webhook dispatcher for the life of a process: inside each server process (from
 * lib/setup/prepare.ts, once per process) and in `npm run worker` (scripts/worker.ts). On
 * SIGTERM or SIGINT it stops claiming, lets the attempts under way end (each within its 10 s
 * timeout), and leaves the exit to the process's own handler — or exits, if there is none.
 */
import type { Db } from '@/db/client';
import { webhookSettings } from './config';
import { startDispatcher, type Dispatcher } from './dispatcher';

const globalForRunner = globalThis as unknown as { keywardWebhookDispatcher?: Dispatcher };

export function runDispatcher(db: Db): Dispatcher {
  const settings = webhookSettings();
  return startDispatcher({ db, pollMs: settings.pollMs, retentionMs: settings.retentionMs, retryWindowMs: settings.retryWindowMs, allowPrivate: settings.allowPrivate });
}

/** Stops `dispatcher` on the first SIGTERM or SIGINT, then runs `after` (the worker closes its database). */
export function stopOnSignals(dispatcher: Dispatcher, after: (signal: NodeJS.Signals) => void | Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      void dispatcher.stop().then(() => after(signal));
    });
  }
}

/** Stops this process's server dispatcher, if it runs: resolves once the attempts under way have ended. */
export async function stopServerDelivery(): Promise<void> {
  await globalForRunner.keywardWebhookDispatcher?.stop();
}

/** The server's dispatcher: started once per process unless KEYWARD_WEBHOOK_DISPATCH=false. */
export function startServerDelivery(db: Db, log: (line: string) => void): void {
  if (globalForRunner.keywardWebhookDispatcher) return;
  if (!webhookSettings().dispatchInServer) {
    log('Keyward: this server does not deliver webhooks (KEYWARD_WEBHOOK_DISPATCH=false); run "npm run worker" to deliver them.');
    return;
  }
  const dispatcher = runDispatcher(db);
  globalForRunner.keywardWebhookDispatcher = dispatcher;
  stopOnSignals(dispatcher, (signal) => {
    // server.ts (and next start) exit on these signals themselves; alone, end as the signal would.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}
