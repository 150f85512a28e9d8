/**
 * The operator socket: PGlite is single-process, so while a server holds the embedded
 * database the CLI runs its commands inside that server. The server listens on
 * `<dataDir>/keyward.sock` (mode 0600: only its own user, as for the data dir itself). One
 * request per connection, one JSON line each way:
 *   → {"argv": string[], "stdin"?: string}   ← {"exitCode": number, "stdout": string, "stderr": string}
 * `stdin` carries a password: it is never logged, echoed or put in an answer.
 * A backup (`keyward backup`) asks for a snapshot of the database instead, answered by a header
 * line giving its size, then that many bytes (PGlite's data dir as a gzipped tar):
 *   → {"backup": true}   ← {"exitCode": 0, "stdout": "", "stderr": "", "bytes": n}\n<n bytes>
 * The CLI writes them to the file the operator named; the server never opens that file.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Db } from '@/db/client';
import { BackupError, formatBytes } from '@/lib/backup/files';
import { logAt } from '@/lib/log/logger';
import { refused, runArgvOnDb, type CliResult } from './run';

export const MAX_REQUEST_BYTES = 64 * 1024;
// sun_path holds 108 bytes on Linux and 104 on macOS and the BSDs, including the final NUL.
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;
const REQUEST_TIMEOUT_MS = 10_000;

export function operatorSocketPath(dir: string): string {
  return path.join(dir, 'keyward.sock');
}

type Request = { argv: string[]; stdin?: string } | { backup: true };

/** The server's database as a snapshot (Database.snapshot), for backups; absent when it has none. */
export type Snapshot = () => Promise<Uint8Array>;

function parseRequest(line: string): Request | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { argv, stdin, backup } = value as Record<string, unknown>;
  if (backup !== undefined) return backup === true && argv === undefined && stdin === undefined ? { backup } : undefined;
  if (!Array.isArray(argv) || argv.length > 64 || !argv.every((a) => typeof a === 'string')) return undefined;
  if (stdin !== undefined && typeof stdin !== 'string') return undefined;
  return { argv, stdin };
}

function answer(socket: net.Socket, result: CliResult): void {
  // Once the answer is handed to the kernel the connection is done, whatever the client does.
  socket.end(`${JSON.stringify(result)}\n`, () => socket.destroy());
}

/** Takes a snapshot and sends it: the header line, then the bytes. */
async function sendBackup(socket: net.Socket, snapshot: Snapshot | undefined, log: (line: string) => void): Promise<void> {
  if (!snapshot) return answer(socket, refused('this server cannot take a backup of its database.'));
  let bytes: Uint8Array;
  try {
    bytes = await snapshot();
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    log(`Keyward: a backup asked for on the operator socket failed: ${reason}`);
    return answer(socket, refused(`the server could not take the backup: ${reason}`));
  }
  log(`Keyward: a backup of the embedded database (${formatBytes(bytes.length)}) was taken through the operator socket.`);
  const header = { exitCode: 0, stdout: '', stderr: '', bytes: bytes.length };
  socket.write(`${JSON.stringify(header)}\n`);
  socket.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), () => socket.destroy());
}

function serve(socket: net.Socket, getDb: () => Db, snapshot: Snapshot | undefined, log: (line: string) => void): void {
  let buffer = '';
  let received = 0;
  let handled = false;
  const handle = (line: string | undefined) => {
    if (handled) return;
    handled = true;
    buffer = '';
    socket.setTimeout(0);
    if (line === undefined || Buffer.byteLength(line) > MAX_REQUEST_BYTES) {
      answer(socket, refused(`operator request larger than ${MAX_REQUEST_BYTES} bytes.`, 2));
      return;
    }
    const request = parseRequest(line);
    if (!request) {
      answer(socket, refused('malformed operator request: expected one JSON line {"argv": [...], "stdin"?: "..."}.', 2));
      return;
    }
    if ('backup' in request) void sendBackup(socket, snapshot, log);
    else void runArgvOnDb(getDb, request.argv, request.stdin).then((result) => answer(socket, result));
  };
  socket.setEncoding('utf8');
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => {}); // A client that hangs up early is not the server's problem.
  socket.on('data', (chunk: string) => {
    if (handled) return;
    received += Buffer.byteLength(chunk);
    buffer += chunk;
    const end = buffer.indexOf('\n');
    if (end !== -1) handle(buffer.slice(0, end));
    else if (received > MAX_REQUEST_BYTES) handle(undefined);
  });
  // A client may also end its side instead of sending a newline (the server allows half-open).
  socket.on('end', () => handle(buffer));
}

function removeStaleSocket(file: string): void {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return; // Nothing there.
  }
  if (!stat.isSocket()) throw new Error(`${file} exists and is not a socket.`);
  // The caller holds the data dir lock, so a socket left here belongs to a process that is gone.
  unlinkSync(file);
}

function listen(server: net.Server, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The socket file is created by bind(), synchronously inside listen(): a umask that denies
    // group and others closes the window before the chmod below (workers may not set it).
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {}
    try {
      server.listen(file, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
}

/**
 * Starts answering CLI requests for the data dir `dir` with the server's database. The caller
 * must hold the data dir lock; `snapshot` lets it answer backups. Never throws: on failure it logs
 * one line and returns a no-op.
 */
export async function startOperatorSocket(
  getDb: () => Db,
  dir: string,
  log: (line: string) => void = logAt('warn'),
  snapshot?: Snapshot,
): Promise<() => Promise<void>> {
  const file = operatorSocketPath(dir);
  const noop = async () => {};
  const unavailable = (reason: string) => {
    log(`Keyward: no operator socket (${reason}); the CLI cannot run while this server holds the data dir.`);
    return noop;
  };
  if (process.platform === 'win32') return unavailable('Unix sockets are not used on Windows');
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH_BYTES) return unavailable(`${file} is too long for a Unix socket path`);
  const server = net.createServer({ allowHalfOpen: true }, (socket) => serve(socket, getDb, snapshot, log));
  try {
    removeStaleSocket(file);
    await listen(server, file);
    chmodSync(file, 0o600);
  } catch (error) {
    server.close();
    return unavailable(`${file}: ${(error as Error).message}`);
  }
  server.unref();
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

function isCliResult(value: unknown): value is CliResult {
  const v = value as Partial<CliResult> | null;
  return typeof v === 'object' && v !== null && typeof v.exitCode === 'number' && typeof v.stdout === 'string' && typeof v.stderr === 'string';
}

/** The client: sends one CLI invocation to the server holding `dir` and returns its answer. */
export function runThroughOperatorSocket(dir: string, argv: readonly string[], stdin?: string, timeoutMs = 60_000): Promise<CliResult> {
  const file = operatorSocketPath(dir);
  return new Promise((resolve, reject) => {
    let buffer = '';
    let settled = false;
    const finish = (error: Error | undefined, result?: CliResult) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(result!);
    };
    const parseAnswer = () => {
      const end = buffer.indexOf('\n');
      let value: unknown;
      try {
        value = JSON.parse(end === -1 ? buffer : buffer.slice(0, end));
      } catch {
        value = undefined;
      }
      if (isCliResult(value)) finish(undefined, value);
      else finish(new Error(`the server answered on ${file} with something that is not a Keyward answer.`));
    };
    const socket = net.createConnection(file, () => {
      socket.write(`${JSON.stringify({ argv, stdin })}\n`);
    });
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer on ${file} within ${timeoutMs / 1000} s.`)));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.includes('\n')) parseAnswer();
    });
    socket.on('end', parseAnswer);
    socket.on('error', (error) => {
      // A server refusing an oversized request may close before the request is fully written.
      if (buffer.includes('\n')) parseAnswer();
      else finish(new Error(`could not talk to the Keyward server through ${file}: ${error.message}`));
    });
  });
}

/**
 * The client of a backup: asks the server holding `dir` for a snapshot and writes its bytes to
 * `out` as they arrive. Rejects with the server's refusal, or when fewer bytes came than announced.
 */
export function backupThroughOperatorSocket(dir: string, out: Writable, timeoutMs = 600_000): Promise<void> {
  const file = operatorSocketPath(dir);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let expected: number | undefined;
    let received = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const take = (chunk: Buffer) => {
      received += chunk.length;
      if (received > expected!) return finish(new BackupError(`the server sent more than the ${expected} bytes it announced on ${file}.`));
      // Backpressure: a slow disk pauses the server rather than filling this process's memory.
      if (!out.write(chunk)) {
        socket.pause();
        out.once('drain', () => socket.resume());
      }
      if (received === expected) finish();
    };
    const readHeader = (line: string) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      const bytes = (value as { bytes?: unknown } | undefined)?.bytes;
      if (isCliResult(value) && value.exitCode === 0 && typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes > 0) return bytes;
      if (isCliResult(value)) throw new BackupError(value.stderr.replace(/^keyward: /, '').trim() || `the server refused the backup (exit ${value.exitCode}).`);
      throw new BackupError(`the server answered on ${file} with something that is not a Keyward answer.`);
    };
    const socket = net.createConnection(file, () => socket.write(`${JSON.stringify({ backup: true })}\n`));
    socket.setTimeout(timeoutMs, () => finish(new BackupError(`no progress from the server on ${file} for ${timeoutMs / 1000} s.`)));
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (expected !== undefined) return take(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(0x0a);
      if (end === -1) {
        if (head.length > MAX_REQUEST_BYTES) finish(new BackupError(`the server answered on ${file} with something that is not a Keyward answer.`));
        return;
      }
      try {
        expected = readHeader(head.subarray(0, end).toString('utf8'));
      } catch (error) {
        return finish(error as Error);
      }
      const rest = head.subarray(end + 1);
      if (rest.length) take(rest);
    });
    socket.on('end', () => {
      if (expected === undefined && head.length) {
        try {
          readHeader(head.toString('utf8'));
        } catch (error) {
          return finish(error as Error);
        }
      }
      finish(new BackupError(`the backup from the server on ${file} ended after ${received} of ${expected ?? 'its'} bytes.`));
    });
    socket.on('error', (error) => finish(new BackupError(`could not talk to the Keyward server through ${file}: ${error.message}`)));
  });
}
