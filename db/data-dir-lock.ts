/**
 * PGlite is single-process: two processes opening one data dir corrupt it. The first process
 * to open a data dir writes its pid into `keyward.lock`; a second one is refused while that
 * process lives. A lock left by a crashed process is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dir} is in use by another Keyward process (pid ${pid}). ` +
        `Stop that process first, or run against PostgreSQL by setting DATABASE_URL.`,
    );
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockFile(dir: string): string {
  return path.join(dir, 'keyward.lock');
}

/** The pid holding the data dir, if a live process other than this one does. */
export function dataDirHolder(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile(dir), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) return pid;
  } catch {
    // No lock file: nobody holds it.
  }
  return undefined;
}

/** Takes the data dir for this process; returns the function that gives it back. */
export function acquireDataDirLock(dir: string): () => void {
  const file = lockFile(dir);
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = dataDirHolder(dir);
      if (holder !== undefined) throw new DataDirInUseError(dir, holder);
      const current = readFileSync(file, 'utf8').trim();
      if (current === String(process.pid)) break;
      // Stale lock from a process that is gone.
      unlinkSync(file);
    }
  }
  const release = () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', release);
  return release;
}
