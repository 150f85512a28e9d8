/**
 * The CLI process's side: parses argv, reads the password from stdin when asked to, and
 * picks the database — PostgreSQL when DATABASE_URL is set; otherwise the server that holds
 * the embedded database, through its operator socket; otherwise the embedded database itself.
 * `seed` never goes through a server: it runs here or is refused.
 */
import { existsSync } from 'node:fs';
import { databaseOptionsFromEnv, openDatabase, type Database } from '@/db/client';
import { DataDirInUseError, dataDirHolder } from '@/db/data-dir-lock';
import { migrateDatabase } from '@/db/migrate';
import { dataDir } from '@/lib/config/env';
import { parseCommand, readsPassword, type Command } from './args';
import { checkCommandInput } from './commands';
import { MAX_REQUEST_BYTES, operatorSocketPath, runThroughOperatorSocket } from './operator-socket';
import { backupCommand, restoreCommand } from './backup-commands';
import { errorResult, helpResult, ok, refused, runCommandOnDb, type CliResult } from './run';
import { seed } from './seed-command';

/** The first line of a stream, without its line ending; reads no further than that line. */
export function readFirstLine(stream: NodeJS.ReadableStream, limit = MAX_REQUEST_BYTES / 2): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (error?: Error) => {
      stream.off('data', onData).off('end', onEnd).off('error', onError);
      stream.pause();
      if (error) reject(error);
      else resolve(text.replace(/\r?\n[\s\S]*$/, '').replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n')) done();
      else if (text.length > limit) done(new Error('the password on stdin is too long.'));
    };
    const onEnd = () => done();
    const onError = (error: Error) => done(error);
    stream.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

async function onOwnDatabase(run: (database: Database) => Promise<CliResult>): Promise<CliResult> {
  const database = openDatabase(databaseOptionsFromEnv());
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

async function runOnOwnDatabase(command: Command, stdin: string | undefined): Promise<CliResult> {
  return onOwnDatabase(async (database) => {
    await migrateDatabase(database);
    return runCommandOnDb(database.db, command, stdin);
  });
}

async function seedOnOwnDatabase(command: Extract<Command, { kind: 'seed' }>, print: (line: string) => void): Promise<CliResult> {
  return onOwnDatabase(async (database) => {
    const { message, warning } = await seed(database, command, print);
    return { exitCode: 0, stdout: `${message}\n`, stderr: warning ? `keyward: warning: ${warning}\n` : '' };
  });
}

/** `print` shows a long command's progress while it runs (seed); the result is printed after. */
export async function runKeyward(
  argv: readonly string[],
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<CliResult> {
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') return helpResult();
    if (command.kind === 'backup') return ok(await backupCommand(command));
    if (command.kind === 'restore') return ok(await restoreCommand(command));
    let password: string | undefined;
    if (readsPassword(command)) {
      if (stdin.isTTY) process.stderr.write('keyward: reading the password from stdin (first line).\n');
      password = await readFirstLine(stdin);
    }
    checkCommandInput(command, password);
    const own = () => (command.kind === 'seed' ? seedOnOwnDatabase(command, print) : runOnOwnDatabase(command, password));
    if (databaseOptionsFromEnv().driver === 'postgres') return await own();
    const dir = dataDir();
    const holder = dataDirHolder(dir);
    if (holder === undefined) return await own();
    if (command.kind === 'seed' || !existsSync(operatorSocketPath(dir))) throw new DataDirInUseError(dir, holder);
    return await runThroughOperatorSocket(dir, argv, password).catch((error: Error) => refused(error.message));
  } catch (error) {
    return errorResult(error);
  }
}
