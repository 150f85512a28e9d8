/**
 * `keyward backup` and `keyward restore` as the CLI runs them (lib/cli/main.ts, in this process):
 * on embedded data dirs (no server; a server holding it, through its operator socket) and, with
 * DATABASE_URL, on PostgreSQL through pg_dump and pg_restore. What a refusal leaves is checked to
 * be exactly what was there. The same with real servers under load: faults/backup-restore.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/db/client';
import { lockFile } from '@/db/data-dir-lock';
import { migrateDatabase } from '@/db/migrate';
import { projectAdd } from '@/lib/cli/commands';
import { keyCreate } from '@/lib/cli/key-commands';
import { runKeyward } from '@/lib/cli/main';
import { startOperatorSocket } from '@/lib/cli/operator-socket';
import type { CliResult } from '@/lib/cli/run';
import { temporaryDatabase, type TemporaryDatabase } from '@/lib/testing/temporary-database';
import { fingerprint, type Fingerprint } from './fingerprint';
import { BackupError } from './files';
import { findTool } from './postgres';

const serverUrl = process.env.DATABASE_URL;
const homes: string[] = [];
const home = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kw-backup-'));
  homes.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in this process with these variables set (and the others of the database unset). */
async function keyward(argv: string[], env: { KEYWARD_DATA_DIR?: string; DATABASE_URL?: string; PATH?: string }): Promise<CliResult> {
  const names = ['KEYWARD_DATA_DIR', 'DATABASE_URL', 'PATH'] as const;
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of ['KEYWARD_DATA_DIR', 'DATABASE_URL'] as const) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await runKeyward(argv, Readable.from([]), () => {});
  } finally {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Opens a database, reads it, closes it (PGlite in a data dir is one process's at a time). */
async function read<T>(database: Database, work: (database: Database) => Promise<T>): Promise<T> {
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

const pgliteAt = (dir: string) => openDatabase({ driver: 'pglite', dataDir: path.join(dir, 'pglite') });

async function fill(database: Database, slug: string): Promise<Fingerprint> {
  await migrateDatabase(database);
  await projectAdd(database.db, { slug, name: slug });
  await keyCreate(database.db, { name: 'Backend', project: slug, count: '3' });
  await keyCreate(database.db, { name: 'Reader', project: slug, permissions: '{"calls":"read"}' });
  return fingerprint(database.db);
}

/** A live process other than this one, to name in a data dir's lock file as its holder. */
function holder(dir: string): ChildProcess {
  const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  writeFileSync(lockFile(dir), `${sleeper.pid}\n`);
  return sleeper;
}

describe('backup and restore of the embedded database', () => {
  const source = home();
  const file = path.join(home(), 'keyward.tar.gz');
  let original: Fingerprint;

  beforeAll(async () => {
    original = await read(pgliteAt(source), (database) => fill(database, 'alpha'));
  }, 120_000);

  it('writes a backup of a data dir no server holds, readable by its owner only', async () => {
    const result = await keyward(['backup', file], { KEYWARD_DATA_DIR: source });
    expect(result).toEqual({ exitCode: 0, stdout: expect.stringMatching(new RegExp(`^Backed up the embedded database in ${source} to ${file} \\(\\d`)), stderr: '' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('refuses to replace an existing file unless --force, and leaves nothing half-written', async () => {
    const before = sha(file);
    const again = await keyward(['backup', file], { KEYWARD_DATA_DIR: source });
    expect(again).toEqual({ exitCode: 1, stdout: '', stderr: `keyward: ${file} already exists: choose another name, or add --force to replace it.\n` });
    expect(sha(file)).toBe(before);
    expect((await keyward(['backup', file, '--force'], { KEYWARD_DATA_DIR: source })).exitCode).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['keyward.tar.gz']);
  }, 120_000);

  it('restores into an empty data dir: every row there', async () => {
    const target = home();
    const result = await keyward(['restore', file], { KEYWARD_DATA_DIR: target });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Restored .* into the embedded database in .*: it has every migration of this version \(\d+\)\.\n$/);
    expect(await read(pgliteAt(target), (database) => fingerprint(database.db))).toEqual(original);
  }, 120_000);

  it('refuses a data dir that holds a database, and changes nothing in it', async () => {
    const other = home();
    const before = await read(pgliteAt(other), (database) => fill(database, 'beta'));
    const result = await keyward(['restore', file], { KEYWARD_DATA_DIR: other });
    expect(result).toMatchObject({ exitCode: 1, stdout: '', stderr: expect.stringContaining(`${path.join(other, 'pglite')} already holds a database: restore only into an empty data dir`) });
    expect(await read(pgliteAt(other), (database) => fingerprint(database.db))).toEqual(before);
  }, 120_000);

  it('refuses a data dir a process holds, and writes nothing there', async () => {
    const held = home();
    const sleeper = holder(held);
    try {
      const result = await keyward(['restore', file], { KEYWARD_DATA_DIR: held });
      expect(result).toMatchObject({ exitCode: 1, stderr: `keyward: A Keyward process (pid ${sleeper.pid}) holds ${held}: stop it first. A restore creates a database; it never replaces one in use.\n` });
      expect(existsSync(path.join(held, 'pglite'))).toBe(false);
    } finally {
      sleeper.kill();
    }
  });

  it('refuses what is not a backup, or a damaged one, and leaves the data dir without a database', async () => {
    const target = home();
    const files = home();
    const cases: [string, Buffer, string][] = [
      ['notes.txt', Buffer.from('not a backup\n'), 'is not a Keyward backup'],
      ['cut.tar.gz', readFileSync(file).subarray(0, 100_000), 'is damaged: it is not a complete gzip archive'],
      ['other.tar.gz', gzipSync(Buffer.alloc(2048)), 'is a gzip archive, but not of a PGlite data dir'],
    ];
    for (const [name, bytes, message] of cases) {
      writeFileSync(path.join(files, name), bytes);
      const result = await keyward(['restore', path.join(files, name)], { KEYWARD_DATA_DIR: target });
      expect(result, name).toMatchObject({ exitCode: 1, stdout: '', stderr: expect.stringContaining(message) });
    }
    expect((await keyward(['restore', path.join(files, 'missing.tar.gz')], { KEYWARD_DATA_DIR: target })).stderr).toBe(`keyward: ${path.join(files, 'missing.tar.gz')} does not exist.\n`);
    expect(existsSync(path.join(target, 'pglite'))).toBe(false);
  }, 60_000);

  it('answers usage errors with exit 2', async () => {
    for (const argv of [['backup'], ['restore'], ['backup', 'a', 'b'], ['restore', 'x', '--force']]) {
      expect((await keyward(argv, { KEYWARD_DATA_DIR: home() })).exitCode, argv.join(' ')).toBe(2);
    }
  });
});

describe('a backup through the operator socket of the server that holds the data dir', () => {
  const held = home();
  let server: Database;
  let sleeper: ChildProcess;
  let stop: () => Promise<void> = async () => {};
  const logged: string[] = [];

  beforeAll(async () => {
    // This process stands in for the server: its database in memory, a live pid in the lock file.
    server = openDatabase({ driver: 'pglite' });
    await fill(server, 'held');
    sleeper = holder(held);
  }, 120_000);
  afterAll(async () => {
    await stop();
    sleeper.kill();
    await server.close();
  });

  it('is taken by the server and written by the CLI; it restores to the same rows', async () => {
    stop = await startOperatorSocket(() => server.db, held, (line) => logged.push(line), server.snapshot);
    const file = path.join(home(), 'held.tar.gz');
    const result = await keyward(['backup', file], { KEYWARD_DATA_DIR: held });
    expect(result).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`through the server that holds it (pid ${sleeper.pid}), to ${file}`) });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logged).toEqual([expect.stringMatching(/^Keyward: a backup of the embedded database \(.+\) was taken through the operator socket\.$/)]);
    const target = home();
    expect((await keyward(['restore', file], { KEYWARD_DATA_DIR: target })).exitCode).toBe(0);
    expect(await read(pgliteAt(target), (database) => fingerprint(database.db))).toEqual(await fingerprint(server.db));
  }, 120_000);

  it("passes on the server's refusal when it cannot take one, and writes no file", async () => {
    await stop();
    stop = await startOperatorSocket(() => server.db, held, () => {});
    const file = path.join(home(), 'refused.tar.gz');
    expect(await keyward(['backup', file], { KEYWARD_DATA_DIR: held })).toEqual({ exitCode: 1, stdout: '', stderr: 'keyward: this server cannot take a backup of its database.\n' });
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });
});

describe.runIf(serverUrl)('backup and restore of PostgreSQL', () => {
  let source: TemporaryDatabase;
  let target: TemporaryDatabase;
  let original: Fingerprint;
  const file = path.join(home(), 'keyward.dump');

  beforeAll(async () => {
    source = await temporaryDatabase('postgres', { prefix: 'keyward_backup_source' });
    target = await temporaryDatabase('postgres', { prefix: 'keyward_backup_target' });
    original = await read(source.open(2), (database) => fill(database, 'gamma'));
  }, 120_000);
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
  });

  it("writes pg_dump's custom format, readable by its owner only", async () => {
    const result = await keyward(['backup', file], { DATABASE_URL: source.url });
    expect(result).toEqual({ exitCode: 0, stdout: `Backed up the PostgreSQL database ${source.name} to ${file} (pg_dump custom format, ${result.stdout.match(/, ([\d.]+ KB)\)/)?.[1]}).\n`, stderr: '' });
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('restores into an empty database: every row there', async () => {
    const result = await keyward(['restore', file], { DATABASE_URL: target.url });
    expect(result).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`into the PostgreSQL database ${target.name}: it has every migration`), stderr: '' });
    expect(await read(target.open(1), (database) => fingerprint(database.db))).toEqual(original);
  }, 60_000);

  it('refuses a database that is not empty, and changes nothing', async () => {
    const result = await keyward(['restore', file], { DATABASE_URL: target.url });
    expect(result).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(new RegExp(`^keyward: The database ${target.name} is not empty \\(\\d+ tables, views and sequences, .*Nothing was changed\\.\\n$`)) });
    expect(await read(target.open(1), (database) => fingerprint(database.db))).toEqual(original);
  }, 60_000);

  it('refuses a dump that is not of a Keyward database, or damaged, and changes nothing', async () => {
    const empty = await temporaryDatabase('postgres', { prefix: 'keyward_backup_empty' });
    try {
      const files = home();
      const cases: [string, string, RegExp][] = [
        ['other.sql', '--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.notes (body text);\n', /is a PostgreSQL dump, but not of a Keyward database/],
        ['cut.dump', `PGDMP${'x'.repeat(64)}`, /pg_restore failed \(exit 1\)/],
      ];
      for (const [name, text, message] of cases) {
        writeFileSync(path.join(files, name), text);
        const result = await keyward(['restore', path.join(files, name)], { DATABASE_URL: empty.url });
        expect(result, name).toMatchObject({ exitCode: 1, stdout: '', stderr: expect.stringMatching(message) });
      }
      expect(await read(empty.open(1), async (database) => Object.keys((await fingerprint(database.db)).tables))).toEqual([]);
    } finally {
      await empty.drop();
    }
  }, 60_000);

  it('refuses an embedded backup, and names pg_dump when it is not on PATH', async () => {
    const archive = path.join(home(), 'embedded.tar.gz');
    writeFileSync(archive, gzipSync(Buffer.alloc(1024)));
    expect((await keyward(['restore', archive], { DATABASE_URL: target.url })).stderr).toBe(
      `keyward: ${archive} is a backup of the embedded database (PGlite): unset DATABASE_URL to restore it into KEYWARD_DATA_DIR.\n`,
    );
    const nowhere = home();
    const result = await keyward(['backup', path.join(nowhere, 'x.dump')], { DATABASE_URL: source.url, PATH: nowhere });
    expect(result).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/^keyward: pg_dump is not on PATH\. Install PostgreSQL's client tools/) });
    expect(readdirSync(nowhere)).toEqual([]);
    expect(() => findTool('psql', nowhere)).toThrow(BackupError);
  });
});
