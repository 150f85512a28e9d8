/**
 * Everything a server process does before it answers: secrets, migrations, first admin, and
 * the webhook dispatcher. Called once from instrumentation.ts; failures stop the process with a
 * readable message.
 */
import { sql } from 'drizzle-orm';
import { getDatabase, getDb } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { checkSsoSettings } from '@/lib/auth/sso-settings';
import { startOperatorSocket } from '@/lib/cli/operator-socket';
import { dataDir } from '@/lib/config/env';
import { loadSecrets } from '@/lib/config/secrets';
import { KEY_CHANNEL } from '@/lib/keys/events';
import { expiryWarningDays } from '@/lib/keys/expiry-warning';
import { limitsExchangeMs } from '@/lib/limits/exchange';
import { logAt, logger } from '@/lib/log/logger';
import { verifyCache } from '@/lib/verify/cache';
import { activeCatalogue } from '@/lib/permissions/load';
import { webhookSettings } from '@/lib/webhooks/config';
import { startServerDelivery } from '@/lib/webhooks/runner';
import { startServerUsageMaintenance } from '@/lib/usage/maintenance';
import { announceFirstAdmin, bootstrapFirstAdmin } from './bootstrap';

export async function prepareServer(log: (line: string) => void = logAt('info')): Promise<void> {
  loadSecrets();
  // A malformed KEYWARD_PERMISSIONS file stops start-up here, naming the bad field.
  activeCatalogue();
  // So does a malformed KEYWARD_WEBHOOK_*, KEYWARD_EXPIRY_WARNING_DAYS or KEYWARD_LIMITS_EXCHANGE_MS setting.
  webhookSettings();
  expiryWarningDays();
  limitsExchangeMs();
  // And an incomplete single sign-on setup, or a KEYWARD_OIDC_ALLOW_NEW_USERS it cannot read.
  checkSsoSettings();
  const database = getDatabase();
  await migrateDatabase(database);
  // PGlite never autovacuums: without this its planner has no statistics (the key search reads
  // them to choose how to find short searches), index-only scans find no visibility map, and
  // rows left by updates and deletes are never reclaimed. About a second at a million keys.
  if (database.driver === 'pglite') await database.db.execute(sql`vacuum (analyze)`);
  // Other nodes' deletes, rotations and edits reach this node's verification cache at once. A
  // reconnect may have missed some: the cache starts empty then, rather than wait out its lifetime.
  if (database.listen) {
    await database.listen(
      KEY_CHANNEL,
      (publicId) => verifyCache()?.dropKey(publicId),
      () => verifyCache()?.clear(),
    );
  }
  // This process holds the embedded database; the CLI reaches it (and takes backups of it)
  // through the operator socket.
  if (database.driver === 'pglite') await startOperatorSocket(getDb, dataDir(), log, database.snapshot);
  // Delivers the webhook outbox from this process until SIGTERM/SIGINT (lib/webhooks/runner.ts).
  startServerDelivery(database.db, log);
  // Rolls counted verifications up to hours and days, drops what retention has passed, and sends
  // the keys' expiry notices.
  startServerUsageMaintenance(database.db);
  const result = await bootstrapFirstAdmin(database.db);
  if (result.created) announceFirstAdmin(result, log, { tty: Boolean(process.stdout.isTTY), dataDir: dataDir() });
}

const globalForPrepare = globalThis as unknown as { keywardPrepared?: Promise<void> };

/**
 * Prepares once per process — server.ts and instrumentation.ts both ask, from different module
 * copies — or stops the process with one readable line.
 */
export async function prepareServerOrExit(): Promise<void> {
  try {
    globalForPrepare.keywardPrepared ??= prepareServer();
    await globalForPrepare.keywardPrepared;
  } catch (error) {
    logger().fatal(`Keyward cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}
