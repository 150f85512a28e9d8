/**
 * Runs one CLI invocation against a database and turns its outcome into exit code and output,
 * the same way in the CLI process and inside a server answering on the operator socket.
 * Messages never include stdin, which holds a password.
 */
import type { Db } from '@/db/client';
import { DataDirInUseError } from '@/db/data-dir-lock';
import { BackupError } from '@/lib/backup/files';
import { DomainError } from '@/lib/errors';
import { parseCommand, readsPassword, usage, UsageError, type Command } from './args';
import { executeCommand } from './commands';

export type CliResult = { exitCode: number; stdout: string; stderr: string };

export const ok = (message: string): CliResult => ({ exitCode: 0, stdout: `${message}\n`, stderr: '' });
export const refused = (message: string, exitCode = 1): CliResult => ({ exitCode, stdout: '', stderr: `keyward: ${message}\n` });

export function usageResult(error: UsageError): CliResult {
  return refused(`${error.message}\nRun "npm run keyward -- help" for usage.`, 2);
}

/** Maps a thrown error to a result: domain refusals by their message, anything else as unexpected. */
export function errorResult(error: unknown): CliResult {
  if (error instanceof UsageError) return usageResult(error);
  if (error instanceof DomainError || error instanceof DataDirInUseError || error instanceof BackupError) return refused(error.message);
  const message = error instanceof Error ? error.message : String(error);
  return refused(`unexpected error: ${message.split('\n')[0]}`);
}

export function helpResult(): CliResult {
  return { exitCode: 0, stdout: `${usage}\n`, stderr: '' };
}

export async function runCommandOnDb(db: Db, command: Command, stdin?: string): Promise<CliResult> {
  if (command.kind === 'help') return helpResult();
  // Minutes of writing, reported as it goes: the CLI process runs it on a database of its own.
  if (command.kind === 'seed') return refused('seed runs in the CLI process only, not inside a server: stop the server that holds the embedded database first.');
  // They read and write files the operator names: the CLI process does, never a server for it.
  if (command.kind === 'backup' || command.kind === 'restore') return refused(`${command.kind} runs in the CLI process only, not inside a server.`);
  try {
    return ok(await executeCommand(db, command, readsPassword(command) ? stdin : undefined));
  } catch (error) {
    return errorResult(error);
  }
}

/** Parses argv and runs it; what the operator socket does for each request. */
export async function runArgvOnDb(getDb: () => Db, argv: readonly string[], stdin?: string): Promise<CliResult> {
  let command: Command;
  try {
    command = parseCommand(argv);
    if (command.kind === 'help') return helpResult();
    return await runCommandOnDb(getDb(), command, stdin);
  } catch (error) {
    return errorResult(error);
  }
}
