/**
 * Runs once when a Keyward server process starts, before it answers: secrets, migrations and
 * the first administrator (lib/setup/prepare.ts). A failure stops the process with one line.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { prepareServerOrExit } = await import('./lib/setup/prepare');
  await prepareServerOrExit();
}
