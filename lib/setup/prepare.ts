/**
 * Everything a server process does before it answers: secrets, migrations, first admin.
 * Called once from instrumentation.ts; failures stop the process with a readable message.
 */
import { getDatabase } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { loadSecrets } from '@/lib/config/secrets';
import { bootstrapFirstAdmin } from './bootstrap';

export async function prepareServer(log: (line: string) => void = console.log): Promise<void> {
  loadSecrets();
  const database = getDatabase();
  await migrateDatabase(database);
  const result = await bootstrapFirstAdmin(database.db);
  if (!result.created) return;
  log(`Keyward: created the first administrator ${result.email} and the project "${result.projectSlug}".`);
  if (result.generatedPassword) {
    // The one place a password is printed: a generated one, shown once so the operator can sign in.
    log(
      `Keyward: its generated password is shown only now: ${result.generatedPassword}\n` +
        `Keyward: change it with "npm run keyward -- user set-password ${result.email} --password-stdin" once the server is stopped.`,
    );
  }
}
