/**
 * Backups of the embedded database: PGlite's data dir as a gzipped tar (`dumpDataDir`, taken by
 * Database.snapshot in db/client.ts, here or inside the server that holds the data dir), restored
 * by creating the database from it (`loadDataDir`) in a data dir that holds none yet.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openDatabase } from '@/db/client';
import { dataDirHolder } from '@/db/data-dir-lock';
import { BackupError } from './files';
import { appliedMigrations } from './migrations';

const TAR_BLOCK = 512;

/** Where PGlite keeps its files inside KEYWARD_DATA_DIR (as db/client.ts opens it). */
export function pgliteFolder(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

function text(block: Uint8Array, from: number, length: number): string {
  const field = Buffer.from(block.buffer, block.byteOffset + from, length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end === -1 ? length : end);
}

/** The names of a tar archive's members, read from its headers. */
export function tarMembers(tar: Uint8Array): string[] {
  const names: string[] = [];
  for (let at = 0; at + TAR_BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + TAR_BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = parseInt(text(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error('malformed tar header');
    const prefix = text(header, 257, 6).startsWith('ustar') ? text(header, 345, 155) : '';
    names.push((prefix ? `${prefix}/` : '') + text(header, 0, 100));
    at += TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return names;
}

/** Refuses `bytes` unless they are a complete gzipped tar of a PostgreSQL data dir. */
export function checkPgliteArchive(bytes: Uint8Array, file: string): void {
  let names: string[];
  try {
    names = tarMembers(gunzipSync(bytes)).map((name) => name.replace(/^\.?\/+/, ''));
  } catch {
    throw new BackupError(`${file} is damaged: it is not a complete gzip archive of a data dir.`);
  }
  if (!names.includes('PG_VERSION') || !names.includes('global/pg_control')) {
    throw new BackupError(`${file} is a gzip archive, but not of a PGlite data dir (it has no PG_VERSION and global/pg_control).`);
  }
}

/** Whether a data dir holds no embedded database: its PGlite folder is missing or empty. */
function holdsNoDatabase(dataDir: string): boolean {
  const folder = pgliteFolder(dataDir);
  return !existsSync(folder) || readdirSync(folder).length === 0;
}

/** A snapshot of the embedded database in `dataDir`, which no server holds. */
export async function snapshotDataDir(dataDir: string): Promise<Uint8Array> {
  if (!existsSync(path.join(pgliteFolder(dataDir), 'PG_VERSION'))) {
    throw new BackupError(`There is no embedded database in ${dataDir} to back up (is KEYWARD_DATA_DIR right?).`);
  }
  const database = openDatabase({ driver: 'pglite', dataDir: pgliteFolder(dataDir) });
  try {
    return await database.snapshot!();
  } finally {
    await database.close();
  }
}

/**
 * Creates the embedded database of `dataDir` from the archive `file`. Refuses, changing nothing,
 * while a process holds the data dir or when it already holds a database. Resolves to the number
 * of migrations the backup had applied.
 */
export async function restoreDataDir(file: string, dataDir: string): Promise<number> {
  const holder = dataDirHolder(dataDir);
  if (holder !== undefined) {
    throw new BackupError(`A Keyward process (pid ${holder}) holds ${dataDir}: stop it first. A restore creates a database; it never replaces one in use.`);
  }
  if (!holdsNoDatabase(dataDir)) {
    throw new BackupError(
      `${pgliteFolder(dataDir)} already holds a database: restore only into an empty data dir (point KEYWARD_DATA_DIR at a new directory, or move this one away first).`,
    );
  }
  const bytes = readFileSync(file);
  checkPgliteArchive(bytes, file);
  // Takes the data dir (a server starting now is refused) before anything is written there.
  const database = openDatabase({ driver: 'pglite', dataDir: pgliteFolder(dataDir), loadDataDir: bytes });
  try {
    const migrations = await appliedMigrations(database.db);
    if (migrations === undefined) throw new BackupError(`${file} is a PostgreSQL data dir, but not Keyward's (it has no drizzle.__drizzle_migrations).`);
    await database.close();
    return migrations;
  } catch (error) {
    await database.close().catch(() => {});
    // It held nothing before: leave it so.
    rmSync(pgliteFolder(dataDir), { recursive: true, force: true });
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} could not be restored: ${(error as Error).message.split('\n')[0]}. ${dataDir} was left without a database.`);
  }
}
