/**
 * `keyward backup <file>` and `keyward restore <file>`, run in the CLI process (they read and
 * write files the operator names) on the database the environment names: PostgreSQL through its
 * client tools (lib/backup/postgres.ts); the embedded database directly when no server holds its
 * data dir, else a backup through that server's operator socket and a restore refused.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { databaseOptionsFromEnv } from '@/db/client';
import { DataDirInUseError, dataDirHolder } from '@/db/data-dir-lock';
import { backupKind, BackupError, checkBackupTarget, formatBytes, KIND_LABELS, writeBackupFile } from '@/lib/backup/files';
import { migrationStanding } from '@/lib/backup/migrations';
import { restoreDataDir, snapshotDataDir } from '@/lib/backup/pglite';
import { appliedMigrationsAt, databaseName, dumpDatabase, findTool, restoreDatabase } from '@/lib/backup/postgres';
import { dataDir } from '@/lib/config/env';
import { backupThroughOperatorSocket, operatorSocketPath } from './operator-socket';

function writeAll(out: Writable, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => out.write(bytes, (error) => (error ? reject(error) : resolve())));
}

export async function backupCommand(command: { file: string; force: boolean }): Promise<string> {
  const target = path.resolve(command.file);
  const options = databaseOptionsFromEnv();
  if (options.driver === 'postgres') {
    const pgDump = findTool('pg_dump');
    const size = await writeBackupFile(target, command.force, (out) => dumpDatabase(options.url, 'custom', out, pgDump));
    return `Backed up the PostgreSQL database ${databaseName(options.url)} to ${target} (pg_dump custom format, ${formatBytes(size)}).`;
  }
  const dir = dataDir();
  const holder = dataDirHolder(dir);
  checkBackupTarget(target, command.force);
  if (holder === undefined) {
    const bytes = await snapshotDataDir(dir);
    const size = await writeBackupFile(target, command.force, (out) => writeAll(out, bytes));
    return `Backed up the embedded database in ${dir} to ${target} (${formatBytes(size)}).`;
  }
  if (!existsSync(operatorSocketPath(dir))) throw new DataDirInUseError(dir, holder);
  const size = await writeBackupFile(target, command.force, (out) => backupThroughOperatorSocket(dir, out));
  return `Backed up the embedded database in ${dir}, through the server that holds it (pid ${holder}), to ${target} (${formatBytes(size)}).`;
}

export async function restoreCommand(command: { file: string }): Promise<string> {
  const file = path.resolve(command.file);
  const kind = backupKind(file);
  const options = databaseOptionsFromEnv();
  if (options.driver === 'postgres') {
    if (kind === 'pglite') throw new BackupError(`${file} is ${KIND_LABELS[kind]}: unset DATABASE_URL to restore it into KEYWARD_DATA_DIR.`);
    await restoreDatabase(options.url, file, kind);
    const applied = await appliedMigrationsAt(options.url);
    return `Restored ${file} into the PostgreSQL database ${databaseName(options.url)}: ${migrationStanding(applied)}.`;
  }
  if (kind !== 'pglite') throw new BackupError(`${file} is ${KIND_LABELS[kind]}: set DATABASE_URL to the empty PostgreSQL database to restore it into.`);
  const dir = dataDir();
  const applied = await restoreDataDir(file, dir);
  return `Restored ${file} into the embedded database in ${dir}: ${migrationStanding(applied)}.`;
}
