/**
 * `npm run worker`: a process that only delivers webhooks, and sends the keys' expiry notices
 * into the outbox as every server does. Run any number of them beside the servers (on
 * PostgreSQL; set KEYWARD_WEBHOOK_DISPATCH=false on the servers if only workers should deliver):
 * the outbox and the notices are claimed with FOR UPDATE SKIP LOCKED, so no event is sent twice.
 * Needs the servers' DATABASE_URL and KEYWARD_ENCRYPTION_KEY (the webhook key is decrypted to
 * sign). On the embedded database the server delivers itself and holds the data dir, so a worker
 * there only runs while no server does. Stops cleanly on SIGTERM or Ctrl-C.
 */
import { getDatabase } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { loadSecrets } from '@/lib/config/secrets';
import { startExpiryNotices } from '@/lib/usage/maintenance';
import { logger } from '@/lib/log/logger';
import { runDispatcher, stopOnSignals } from '@/lib/webhooks/runner';

async function main(): Promise<void> {
  loadSecrets();
  const database = getDatabase();
  await migrateDatabase(database);
  const dispatcher = runDispatcher(database.db);
  const notices = startExpiryNotices(database.db);
  stopOnSignals(dispatcher, async () => {
    notices.stop();
    await database.close();
    logger().info('Keyward webhook worker: stopped.');
    process.exit(0);
  });
  logger().info(`Keyward webhook worker: delivering webhooks from ${database.driver === 'postgres' ? 'PostgreSQL' : 'the embedded database'}. Stop with Ctrl-C.`);
}

main().catch((error: Error) => {
  logger().fatal(`Keyward webhook worker cannot start: ${error.message}`);
  process.exit(1);
});
