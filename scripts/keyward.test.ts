/**
 * The real CLI process, end to end: on a fresh embedded data dir, on a fresh PostgreSQL
 * database when DATABASE_URL is set, and beside a (simulated) server that holds the data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/db/client';
import { lockFile } from '@/db/data-dir-lock';
import { migrateDatabase } from '@/db/migrate';
import { memberships, projects, users } from '@/db/schema';
import { verifyPassword } from '@/lib/auth/password';
import { startOperatorSocket } from '@/lib/cli/operator-socket';
import { createProject } from '@/lib/projects/projects';
import { runCli, type CliRun } from '@/lib/testing/cli-process';
import { testDrivers } from '@/lib/testing/databases';
import { temporaryDatabase, type TemporaryDatabase } from '@/lib/testing/temporary-database';
import { findUserByEmail } from '@/lib/users/users';

const PASSWORD = 'Cli-Secret-7f3kq9';
const NEW_PASSWORD = 'Cli-Secret-Rotated-2bx8';
const outputs: string[] = [];

async function keyward(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CliRun> {
  const run = await runCli(args, env, stdin);
  outputs.push(run.stdout, run.stderr);
  return run;
}

function cliEnv(dataDir: string, databaseUrl?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KEYWARD_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return env;
}

describe.each(testDrivers())('keyward CLI [%s]', (driver) => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let cliDatabase: TemporaryDatabase | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'kw-cli-'));
    cliDatabase = await temporaryDatabase(driver, { prefix: 'keyward_cli', dataDir });
    env = cliEnv(dataDir, cliDatabase.url);
  });
  afterAll(async () => {
    await cliDatabase?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Opens the CLI's database in this process (after the CLI has exited: PGlite is single-process). */
  async function inspect<T>(read: (database: Database) => Promise<T>): Promise<T> {
    const database = cliDatabase!.open(1);
    try {
      return await read(database);
    } finally {
      await database.close();
    }
  }

  // Generous limits: each run starts a process and, on PGlite, an embedded database (the first
  // one creates it), which takes many seconds on a busy two-core machine.
  it('adds a project', async () => {
    expect(await keyward(['project', 'add', 'demo', '--name', 'Demo'], env)).toEqual({ code: 0, stdout: 'Created project demo ("Demo").\n', stderr: '' });
  }, 180_000);

  it('adds an administrator and sets a password from stdin', async () => {
    const added = await keyward(['user', 'add', 'Admin@Example.com', '--project', 'demo', '--role', 'admin', '--password-stdin'], env, `${PASSWORD}\nnot read\n`);
    expect(added).toEqual({ code: 0, stdout: 'Created user admin@example.com (admin of demo).\n', stderr: '' });
    const set = await keyward(['user', 'set-password', 'admin@example.com', '--password-stdin'], env, `${NEW_PASSWORD}\r\n`);
    expect(set).toEqual({ code: 0, stdout: 'Set the password of admin@example.com.\n', stderr: '' });
  }, 180_000);

  it('exits non-zero with a clear message on bad input, and changes nothing', async () => {
    const cases: [string[], number, RegExp, string?][] = [
      [['user', 'add', 'admin@example.com', '--project', 'demo', '--role', 'member'], 1, /^keyward: A user with the email admin@example.com already exists\.\n$/],
      [['user', 'add', 'new@example.com', '--project', 'nope', '--role', 'member'], 1, /^keyward: No project has the slug "nope"\.\n$/],
      [['user', 'add', 'not-an-email', '--project', 'demo', '--role', 'member'], 1, /^keyward: email: Enter a valid email address\.\n$/],
      [['user', 'set-password', 'admin@example.com', '--password-stdin'], 1, /^keyward: password: Password must be at least 8 characters\.\n$/, 'short\n'],
      [['user', 'promote', 'admin@example.com'], 2, /^keyward: Unknown command "user promote"\.\n/],
    ];
    for (const [args, code, message, stdin] of cases) {
      const run = await keyward(args, env, stdin);
      expect(run.code, args.join(' ')).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
    const { counts, passwordInForce } = await inspect(async ({ db }) => ({
      counts: [(await db.select().from(users)).length, (await db.select().from(projects)).length, (await db.select().from(memberships)).length],
      // The password read from stdin (line ending stripped) is in force, not the refused one.
      passwordInForce: await verifyPassword((await findUserByEmail(db, 'admin@example.com'))?.passwordHash, NEW_PASSWORD),
    }));
    expect(counts).toEqual([1, 1, 1]);
    expect(passwordInForce).toBe(true);
  }, 180_000);

  it('never prints a password', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(16);
    for (const output of outputs) {
      for (const secret of [PASSWORD, NEW_PASSWORD, 'short']) expect(output).not.toContain(secret);
    }
  });
});

describe('keyward CLI beside a server that holds the embedded database', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kw-held-'));
  const env = cliEnv(dataDir);
  let sleeper: ChildProcess;
  let server: Database;

  beforeAll(async () => {
    // A live process other than this one, named in the lock file, stands in for the server.
    sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
    writeFileSync(lockFile(dataDir), `${sleeper.pid}\n`);
    server = openDatabase({ driver: 'pglite' });
    await migrateDatabase(server);
    await createProject(server.db, { slug: 'held', name: 'Held' });
  });
  afterAll(async () => {
    sleeper.kill();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to open the data dir when the server has no operator socket', async () => {
    const run = await keyward(['project', 'add', 'other'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`keyward: The embedded database in ${dataDir} is in use by another Keyward process (pid ${sleeper.pid}). Stop that process first, or run against PostgreSQL by setting DATABASE_URL.\n`);
    expect(existsSync(path.join(dataDir, 'pglite'))).toBe(false);
  }, 120_000);

  it('runs the command inside the server through its operator socket', async () => {
    const close = await startOperatorSocket(() => server.db, dataDir);
    try {
      const args = ['user', 'add', 'op@example.com', '--project', 'held', '--role', 'member', '--password-stdin'];
      expect(await keyward(args, env, `${PASSWORD}\n`)).toEqual({ code: 0, stdout: 'Created user op@example.com (member of held).\n', stderr: '' });
      expect(await verifyPassword((await findUserByEmail(server.db, 'op@example.com'))?.passwordHash, PASSWORD)).toBe(true);
      const duplicate = await keyward(args, env, `${PASSWORD}\n`);
      expect(duplicate).toEqual({ code: 1, stdout: '', stderr: 'keyward: A user with the email op@example.com already exists.\n' });
      expect(existsSync(path.join(dataDir, 'pglite'))).toBe(false);
    } finally {
      await close();
    }
  }, 120_000);
});
