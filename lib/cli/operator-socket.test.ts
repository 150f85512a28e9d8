import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { projects } from '@/db/schema';
import { writeBackupFile } from '@/lib/backup/files';
import { verifyPassword } from '@/lib/auth/password';
import { findUserByEmail } from '@/lib/users/users';
import { backupThroughOperatorSocket, MAX_REQUEST_BYTES, operatorSocketPath, runThroughOperatorSocket, startOperatorSocket } from './operator-socket';

const PASSWORD = 'socket-secret-Zq8v';

/** Sends raw bytes on the socket (then ends the client's side if asked) and returns the raw answer. */
function rawRequest(dir: string, payload: string, end = false): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.createConnection(operatorSocketPath(dir), () => (end ? socket.end(payload) : socket.write(payload)));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    // The server may close while a large request is still being written: keep what it answered.
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
  });
}

describe('operator socket', () => {
  let database: Database;
  let dir: string;
  let close: () => Promise<void>;
  const log = vi.fn();

  beforeAll(async () => {
    database = openDatabase({ driver: 'pglite' });
    await migrateDatabase(database);
    dir = mkdtempSync(path.join(tmpdir(), 'kw-sock-'));
    close = await startOperatorSocket(() => database.db, dir, log);
  });
  afterAll(async () => {
    await close?.();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(log).not.toHaveBeenCalled());

  it('listens on <dir>/keyward.sock, readable and writable by its owner only', () => {
    const stat = lstatSync(operatorSocketPath(dir));
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('runs commands against the server database', async () => {
    const result = await runThroughOperatorSocket(dir, ['project', 'add', 'via-socket', '--name', 'Via socket']);
    expect(result).toEqual({ exitCode: 0, stdout: 'Created project via-socket ("Via socket").\n', stderr: '' });
    const [row] = await database.db.select().from(projects).where(eq(projects.slug, 'via-socket'));
    expect(row?.name).toBe('Via socket');
  });

  it('passes the password from stdin and never echoes or logs it', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level));
    try {
      const argv = ['user', 'add', 'op@example.com', '--project', 'via-socket', '--role', 'admin', '--password-stdin'];
      const result = await runThroughOperatorSocket(dir, argv, PASSWORD);
      expect(result.exitCode).toBe(0);
      expect(JSON.stringify(result)).not.toContain(PASSWORD);
      expect(await verifyPassword((await findUserByEmail(database.db, 'op@example.com'))?.passwordHash, PASSWORD)).toBe(true);
      const refused = await runThroughOperatorSocket(dir, ['user', 'set-password', 'op@example.com', '--password-stdin'], 'short');
      expect(refused).toMatchObject({ exitCode: 1, stderr: 'keyward: password: Password must be at least 8 characters.\n' });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('answers refusals and usage errors with their exit codes', async () => {
    const unknown = await runThroughOperatorSocket(dir, ['user', 'add', 'x@example.com', '--project', 'nope', '--role', 'member']);
    expect(unknown).toEqual({ exitCode: 1, stdout: '', stderr: 'keyward: No project has the slug "nope".\n' });
    expect(await findUserByEmail(database.db, 'x@example.com')).toBeUndefined();
    expect((await runThroughOperatorSocket(dir, ['user', 'frob'])).exitCode).toBe(2);
  });

  it('leaves backup and restore to the CLI process, and refuses a backup this server cannot take', async () => {
    for (const command of ['backup', 'restore']) {
      expect(await runThroughOperatorSocket(dir, [command, '/tmp/keyward.tar.gz'])).toEqual({ exitCode: 1, stdout: '', stderr: `keyward: ${command} runs in the CLI process only, not inside a server.\n` });
    }
    expect(JSON.parse(await rawRequest(dir, '{"backup": true}\n'))).toEqual({ exitCode: 1, stdout: '', stderr: 'keyward: this server cannot take a backup of its database.\n' });
  });

  it('answers malformed and oversized requests with an error', async () => {
    const malformed = ['not json\n', '{"argv": "project add x"}\n', '{"argv": ["help"], "stdin": 5}\n', '[]\n', '{"backup": "yes"}\n', '{"backup": true, "argv": ["help"]}\n'];
    for (const payload of malformed) {
      expect(JSON.parse(await rawRequest(dir, payload))).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/malformed operator request/) });
    }
    const huge = JSON.stringify({ argv: ['project', 'add', 'x'.repeat(MAX_REQUEST_BYTES)] });
    expect(JSON.parse(await rawRequest(dir, huge))).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/larger than/) });
    // A client that ends its side instead of sending a newline is still answered.
    expect(JSON.parse(await rawRequest(dir, '{"argv":["help"]}', true))).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^Usage:/) });
  });
});

describe('operator socket start-up', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kw-sock-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const noDb = () => {
    throw new Error('no database in this test');
  };

  it('replaces a socket left by a process that died, and removes its own on close', async () => {
    const dir = tempDir();
    const file = operatorSocketPath(dir);
    // A process that listens and is killed leaves its socket file behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(file)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(lstatSync(file).isSocket()).toBe(true);
    const log = vi.fn();
    const close = await startOperatorSocket(noDb, dir, log);
    expect(log).not.toHaveBeenCalled();
    expect((await runThroughOperatorSocket(dir, ['help'])).exitCode).toBe(0);
    await close();
    expect(existsSync(file)).toBe(false);
    await expect(runThroughOperatorSocket(dir, ['help'])).rejects.toThrow(/could not talk to the Keyward server/);
  });

  it('warns once and does nothing when the path is too long for a Unix socket', async () => {
    const dir = path.join(tempDir(), 'd'.repeat(120));
    mkdirSync(dir);
    const log = vi.fn();
    const close = await startOperatorSocket(noDb, dir, log);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/too long for a Unix socket/);
    expect(existsSync(operatorSocketPath(dir))).toBe(false);
    await close();
  });

  it('leaves a file that is not a socket alone, with a warning', async () => {
    const dir = tempDir();
    mkdirSync(operatorSocketPath(dir));
    const log = vi.fn();
    await startOperatorSocket(noDb, dir, log);
    expect(log.mock.calls[0]![0]).toMatch(/is not a socket/);
    expect(lstatSync(operatorSocketPath(dir)).isDirectory()).toBe(true);
  });
});

describe('a backup through the operator socket', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kw-sock-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const noDb = () => {
    throw new Error('no database in this test');
  };

  /** A stand-in server that answers every request with `answer` and hangs up. */
  async function fakeServer(dir: string, answer: Buffer): Promise<() => Promise<void>> {
    const server = net.createServer((socket) => socket.once('data', () => socket.end(answer)));
    await new Promise<void>((resolve) => server.listen(operatorSocketPath(dir), resolve));
    return () => new Promise((resolve) => server.close(() => resolve()));
  }

  it('streams the snapshot the server takes into the stream it is given', async () => {
    const dir = tempDir();
    const bytes = randomBytes(300_000);
    const log = vi.fn();
    const close = await startOperatorSocket(noDb, dir, log, async () => new Uint8Array(bytes));
    try {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write: (chunk: Buffer, _, done) => {
          chunks.push(chunk);
          done();
        },
      });
      await backupThroughOperatorSocket(dir, sink);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      expect(log).toHaveBeenCalledWith('Keyward: a backup of the embedded database (293.0 KB) was taken through the operator socket.');
    } finally {
      await close();
    }
  });

  it("passes on a snapshot's failure, logged by the server, and writes nothing", async () => {
    const dir = tempDir();
    const log = vi.fn();
    const close = await startOperatorSocket(noDb, dir, log, async () => {
      throw new Error('no space left on device\nand more');
    });
    try {
      const target = path.join(tempDir(), 'keyward.tar.gz');
      await expect(writeBackupFile(target, false, (out) => backupThroughOperatorSocket(dir, out))).rejects.toThrow('the server could not take the backup: no space left on device');
      expect(readdirSync(path.dirname(target))).toEqual([]);
      expect(log).toHaveBeenCalledWith('Keyward: a backup asked for on the operator socket failed: no space left on device');
    } finally {
      await close();
    }
  });

  it('refuses an answer cut short or not a Keyward answer, and leaves no file', async () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.concat([Buffer.from('{"exitCode":0,"stdout":"","stderr":"","bytes":100}\n'), Buffer.alloc(50)]), /ended after 50 of 100 bytes/],
      [Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), /not a Keyward answer/],
    ];
    for (const [answer, message] of cases) {
      const dir = tempDir();
      const close = await fakeServer(dir, answer);
      try {
        const target = path.join(tempDir(), 'keyward.tar.gz');
        await expect(writeBackupFile(target, false, (out) => backupThroughOperatorSocket(dir, out))).rejects.toThrow(message);
        expect(readdirSync(path.dirname(target))).toEqual([]);
      } finally {
        await close();
      }
    }
  });
});
