/**
 * Backup files on disk: written with mode 0600 (a backup holds key hashes, ciphertexts and
 * password hashes), appearing only once complete, never over an existing file unless asked; and
 * recognised by their first bytes when restored (PGlite's data dir tarball, or pg_dump's custom
 * or plain format).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, createWriteStream, fsyncSync, linkSync, openSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';

/** A backup or restore refused or failed for a reason the operator can act on: exit 1, nothing changed. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export type BackupKind = 'pglite' | 'pg_dump custom' | 'pg_dump plain';

/** The backup's own description in messages. */
export const KIND_LABELS: Record<BackupKind, string> = {
  pglite: 'a backup of the embedded database (PGlite)',
  'pg_dump custom': 'a PostgreSQL backup (pg_dump custom format)',
  'pg_dump plain': 'a PostgreSQL backup (pg_dump plain SQL)',
};

function statOf(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Checks that a backup can be written to `target` before any work is done; throws a refusal
 * naming the reason. The check is repeated when the file is put in place.
 */
export function checkBackupTarget(target: string, force: boolean): void {
  const existing = statOf(target);
  if (existing?.isDirectory()) throw new BackupError(`${target} is a directory: name the backup file to write.`);
  if (existing && !force) throw new BackupError(`${target} already exists: choose another name, or add --force to replace it.`);
  const parent = statOf(path.dirname(target));
  if (!parent?.isDirectory()) throw new BackupError(`${path.dirname(target)} is not a directory: create it first.`);
}

/**
 * Writes a backup through `write`, which fills the stream it is given, to a hidden file beside
 * `target` (mode 0600), then puts it in place: renamed over an existing file with `force`,
 * otherwise linked, which fails rather than replace a file that appeared meanwhile. On any
 * failure nothing is left behind. Resolves to the number of bytes written.
 */
export async function writeBackupFile(target: string, force: boolean, write: (out: Writable) => Promise<void>): Promise<number> {
  checkBackupTarget(target, force);
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
  const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  const closed = new Promise<void>((resolve, reject) => {
    out.once('close', resolve);
    out.once('error', reject);
  });
  closed.catch(() => {}); // Awaited below; a failing `write` must not leave it unhandled.
  try {
    await write(out);
    out.end();
    await closed;
    // On disk before it takes the target's name: a crash never leaves a truncated backup there.
    const fd = openSync(partial, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(partial, 0o600);
    const { size } = statSync(partial);
    if (force) renameSync(partial, target);
    else {
      try {
        linkSync(partial, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${target} appeared while the backup was written: it was left alone. Choose another name, or add --force.`);
        throw error;
      }
      unlinkSync(partial);
    }
    return size;
  } catch (error) {
    out.destroy();
    await closed.catch(() => {});
    try {
      unlinkSync(partial);
    } catch {}
    throw error;
  }
}

/** The first bytes of a file, or a refusal naming why it cannot be read. */
function head(file: string, bytes: number): Buffer {
  const stat = statOf(file);
  if (!stat) throw new BackupError(`${file} does not exist.`);
  if (!stat.isFile()) throw new BackupError(`${file} is not a file.`);
  const buffer = Buffer.alloc(Math.min(bytes, stat.size));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

/** What kind of backup `file` is, from its first bytes; a refusal if it is none Keyward makes. */
export function backupKind(file: string): BackupKind {
  const start = head(file, 4096);
  if (start[0] === 0x1f && start[1] === 0x8b) return 'pglite';
  if (start.subarray(0, 5).toString('latin1') === 'PGDMP') return 'pg_dump custom';
  if (/^--\r?\n-- PostgreSQL database dump/.test(start.toString('utf8'))) return 'pg_dump plain';
  throw new BackupError(`${file} is not a Keyward backup: expected a PGlite data dir archive (.tar.gz) or a pg_dump file.`);
}

/** `12.3 MB`, for messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
