/**
 * The production server (`dist/server.mjs`, as `npm start` runs it) as a child process on a fresh
 * database (PostgreSQL by default, or PGlite in its data dir) and a free port, for the fault tests
 * and the benchmarks. It can be killed outright (SIGKILL to its whole process group) and started
 * again on the same database with the same secrets. Never used by the server itself.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { createKey } from '@/lib/keys/create';
import { createProject, setMembership } from '@/lib/projects/projects';
import { createUser } from '@/lib/users/users';
import { WEBHOOK_EVENTS } from '@/lib/webhooks/events';
import { saveEndpoint } from '@/lib/webhooks/endpoint';
import { productionBuildMissing, spawnProductionServer } from './production-server';
import { postgresServerUrl, temporaryDatabase, type Driver, type TemporaryDatabase } from './temporary-database';

// npm scripts, Vitest and the benches all run from the repository's root.
const ROOT = process.cwd();
const READY_TIMEOUT_MS = 120_000;
const OUTPUT_LIMIT = 1_000_000;

/** Why the production server cannot be run here on `driver`, or undefined when it can. */
export async function serverProcessUnavailable(driver: Driver = 'postgres'): Promise<string | undefined> {
  if (!existsSync(path.join(ROOT, 'server.ts'))) return `run this from the repository's root (${ROOT} has no server.ts)`;
  const missing = productionBuildMissing(ROOT);
  if (missing || driver === 'pglite') return missing;
  const admin = postgres(postgresServerUrl(), { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await admin`select 1`;
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${new URL(postgresServerUrl()).host} does not answer (${(error as Error).message})`;
  } finally {
    await admin.end({ timeout: 1 });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type ServerProcessOptions = {
  /** Names the database (`<prefix>_<time>_<random>`) and the data dir. */
  prefix: string;
  /** PostgreSQL (the default) or PGlite in the server's data dir. */
  driver?: Driver;
  /** Extra environment for the server, e.g. KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE. */
  env?: Record<string, string>;
  /** Copy what the server prints on stderr to this process's stderr (all it prints is kept in `output()`). */
  echo?: boolean;
  /** The server's AUTH_SECRET and KEYWARD_ENCRYPTION_KEY; default: fresh ones. A restore of another server's backup needs that one's. */
  secrets?: ServerSecrets;
  /** Migrate the fresh database (the default); false leaves it empty, for a restore. */
  migrate?: boolean;
};

export type ServerSecrets = { AUTH_SECRET: string; KEYWARD_ENCRYPTION_KEY: string };

export class ServerProcess {
  private child: ChildProcess | undefined;
  private printed = '';
  private readonly removeExitHook: () => void;

  private constructor(
    readonly port: number,
    private readonly database: TemporaryDatabase,
    /** KEYWARD_DATA_DIR: PGlite's files (if PGlite) and the operator socket. */
    readonly dataDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly echo: boolean,
    readonly secrets: ServerSecrets,
    /** False for a sibling: the database is dropped by the process it was made from. */
    private readonly ownsDatabase = true,
  ) {
    // A test run that dies must not leave a server behind on the port.
    const hook = () => this.child?.pid && groupAlive(this.child.pid) && process.kill(-this.child.pid, 'SIGKILL');
    process.on('exit', hook);
    this.removeExitHook = () => process.off('exit', hook);
  }

  /**
   * A fresh, migrated database and a free port; the server is not started yet. The secrets are
   * exported to this process too, so keys seeded here are encrypted as the server expects.
   */
  static async create(options: ServerProcessOptions): Promise<ServerProcess> {
    const dataDir = mkdtempSync(path.join(tmpdir(), `${options.prefix}-`));
    const database = await temporaryDatabase(options.driver ?? 'postgres', { prefix: options.prefix, dataDir }).catch((error: unknown) => {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
    const secrets = options.secrets ?? { AUTH_SECRET: randomBytes(32).toString('base64'), KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    Object.assign(process.env, secrets);
    const env: NodeJS.ProcessEnv = { ...process.env };
    // A Vitest worker's own variables are not the server's business.
    for (const variable of Object.keys(env)) if (variable.startsWith('VITEST') || variable === 'TEST') delete env[variable];
    const port = await freePort();
    Object.assign(env, secrets, options.env, {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      KEYWARD_DATA_DIR: dataDir,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
    });
    // PGlite lives in the data dir: a DATABASE_URL inherited from this process would win over it.
    if (database.url) env.DATABASE_URL = database.url;
    else delete env.DATABASE_URL;
    const server = new ServerProcess(port, database, dataDir, env, options.echo ?? false, secrets);
    if (options.migrate === false) return server;
    const connection = server.open(1);
    try {
      await migrateDatabase(connection);
    } finally {
      await connection.close();
    }
    return server;
  }

  /** The environment the operator CLI needs to act on this server's database (while it runs, or not). */
  cliEnv(): NodeJS.ProcessEnv {
    const { PATH, HOME, KEYWARD_DATA_DIR, DATABASE_URL } = this.env;
    return { NODE_ENV: 'production', PATH, HOME, KEYWARD_DATA_DIR, ...(DATABASE_URL ? { DATABASE_URL } : {}), ...this.secrets };
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /**
   * A second node on this one's PostgreSQL database: the same secrets and settings (with `env`
   * added), its own port and data dir. Dispose of it before this one, which drops the database.
   */
  async sibling(env: Record<string, string> = {}): Promise<ServerProcess> {
    if (!this.database.url) throw new Error('Only a PostgreSQL database takes a second node (PGlite admits one process).');
    const dataDir = mkdtempSync(`${this.dataDir}-sibling-`);
    const port = await freePort();
    return new ServerProcess(port, this.database, dataDir, { ...this.env, ...env, KEYWARD_DATA_DIR: dataDir, PORT: String(port) }, this.echo, this.secrets, false);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** PostgreSQL: the server's DATABASE_URL; undefined on PGlite. */
  get databaseUrl(): string | undefined {
    return this.database.url;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** A connection of this process to the server's database, for seeding and checking (PGlite: while the server is stopped). */
  open(max = 4): Database {
    return this.database.open(max);
  }

  /** How the last run ended, once it has. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  /** Everything the server printed, across restarts. */
  output(): string {
    return this.printed;
  }

  /**
   * What the server said, a line each: the message of each JSON log line (production logs are
   * JSON, which escapes quotes and newlines), and any other line as printed.
   */
  messages(): string {
    return this.printed
      .split('\n')
      .map((line) => {
        if (!line.startsWith('{')) return line;
        try {
          const record = JSON.parse(line) as { msg?: unknown };
          return typeof record.msg === 'string' ? record.msg : line;
        } catch {
          return line;
        }
      })
      .join('\n');
  }

  /** Starts the server, with `env` added for this run only, and waits until /api/health/ready answers 200. */
  async start(env: Record<string, string> = {}): Promise<void> {
    if (this.running) throw new Error('The server is already running.');
    const child = spawnProductionServer({
      cwd: ROOT,
      env: { ...this.env, ...env },
      // Its own process group, so a kill reaches anything the server started too.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = undefined;
    child.once('exit', (code, signal) => (this.exit = { code, signal }));
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        if (this.echo && stream === child.stderr) process.stderr.write(chunk);
        if (this.printed.length < OUTPUT_LIMIT) this.printed += chunk.toString('utf8');
      });
    }
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`The server exited before it was ready:\n${this.printed.slice(-2000)}`);
      const ready = await fetch(`${this.url}/api/health/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await pause(200);
    }
    throw new Error(`The server was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${this.printed.slice(-2000)}`);
  }

  /** SIGKILL to the whole process group; resolves once every process of it is gone. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** SIGTERM, as an orderly shutdown; resolves once every process of the group is gone. */
  async stop(): Promise<void> {
    await this.end('SIGTERM');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const pid = this.child?.pid;
    if (!pid) return;
    if (groupAlive(pid)) process.kill(-pid, signal);
    const deadline = Date.now() + 15_000;
    while (groupAlive(pid)) {
      if (Date.now() > deadline) process.kill(-pid, 'SIGKILL');
      await pause(25);
    }
    this.child = undefined;
  }

  /** Stops the server, drops its database (unless it is a sibling's) and removes its data dir. */
  async dispose(): Promise<void> {
    await this.stop();
    this.removeExitHook();
    if (this.ownsDatabase) await this.database.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export type SeededProject = { projectId: string; slug: string; adminUserId: string; bearer: string; bearerId: string };

/**
 * A project with an administrator (no password: nobody signs in), a full-access key for the
 * REST API and, when `webhookUrl` is given, an enabled endpoint subscribed to every key event.
 */
export async function seedProject(database: Database, options: { slug: string; webhookUrl?: string }): Promise<SeededProject> {
  const { db } = database;
  const admin = await createUser(db, { email: `admin@${options.slug}.test`, name: 'Administrator' });
  const project = await createProject(db, { slug: options.slug, name: options.slug });
  await setMembership(db, project.id, admin.id, 'admin');
  const actor = { type: 'system', projectSlug: options.slug, label: 'seed' } as const;
  const { key, secret } = await createKey(db, actor, { name: 'Bearer (full access)' });
  if (options.webhookUrl) {
    await saveEndpoint(
      db,
      { type: 'user', userId: admin.id, projectSlug: options.slug },
      { url: options.webhookUrl, events: [...WEBHOOK_EVENTS], enabled: true },
      { allowPrivate: true },
    );
  }
  return { projectId: project.id, slug: project.slug, adminUserId: admin.id, bearer: secret, bearerId: key.id };
}
