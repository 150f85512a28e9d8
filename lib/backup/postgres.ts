/**
 * Backups of PostgreSQL through its own client tools, found on PATH: pg_dump (custom format for
 * backups, plain SQL for the upgrade fixtures), pg_restore and psql. The connection string goes to
 * them without its password, which travels in PGPASSWORD, so it never shows in a process list.
 * A restore goes only into an empty database, in one transaction: a failure changes nothing.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import postgres from 'postgres';
import { BackupError, type BackupKind } from './files';

export type PostgresTool = 'pg_dump' | 'pg_restore' | 'psql';

/** The tool's path on PATH, or a refusal naming it and how to get it. */
export function findTool(tool: PostgresTool, searchPath = process.env.PATH ?? ''): string {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  throw new BackupError(
    `${tool} is not on PATH. Install PostgreSQL's client tools (of the server's major version or newer; e.g. apt-get install postgresql-client) and try again.`,
  );
}

/** The database's name, for messages. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || '(default)';
}

/** The libpq connection string without its password, and an environment carrying the password. */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { dbname: parsed.href, env };
}

/**
 * Runs a client tool. Its stdout goes to `output`: a stream, or 'capture' to resolve to it as
 * text, or nowhere. On failure, a refusal quotes the first lines it printed on stderr.
 */
function run(tool: string, args: string[], env: NodeJS.ProcessEnv, output: Writable | 'capture' | 'ignore' = 'ignore'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', output === 'ignore' ? 'ignore' : 'pipe', 'pipe'] });
    let errors = '';
    let captured = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (errors.length < 16_384) errors += chunk;
    });
    if (output === 'capture') child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (captured += chunk));
    else if (output !== 'ignore') child.stdout!.pipe(output, { end: false });
    child.once('error', (error) => reject(new BackupError(`${path.basename(tool)} could not be started: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve(captured);
      else {
        const said = errors.trim().split('\n').slice(0, 5).join('\n  ');
        reject(new BackupError(`${path.basename(tool)} failed (${signal ?? `exit ${code}`})${said ? `:\n  ${said}` : '.'}`));
      }
    });
  });
}

/** pg_dump of the whole database at `url` into `out`: one consistent snapshot, however busy it is. */
export async function dumpDatabase(url: string, format: 'custom' | 'plain', out: Writable, tool = findTool('pg_dump')): Promise<void> {
  const { dbname, env } = connection(url);
  // A plain dump is for reading and for the upgrade fixtures: no owners or grants of this server in it.
  const args = format === 'custom' ? ['--format=custom'] : ['--format=plain', '--no-owner', '--no-privileges'];
  await run(tool, [...args, `--dbname=${dbname}`], env, out);
}

/** What the database holds besides an empty one's contents: tables, sequences, views, schemas, functions, types. */
export async function databaseContents(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [row] = await sql<{ relations: number; schemas: number; routines: number; types: number }[]>`
      select
        (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
            and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%') as relations,
        (select count(*)::int from pg_namespace n
          where n.nspname not in ('public', 'information_schema') and n.nspname not like 'pg\\_%') as schemas,
        (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')) as routines,
        (select count(*)::int from pg_type t join pg_namespace n on n.oid = t.typnamespace
          where n.nspname = 'public' and t.typtype in ('e', 'd') and not exists (select 1 from pg_depend d where d.objid = t.oid and d.deptype = 'e')) as types`;
    const found: string[] = [];
    const say = (n: number, one: string, many: string) => n && found.push(`${n} ${n === 1 ? one : many}`);
    say(row!.relations, 'table, view or sequence', 'tables, views and sequences');
    say(row!.schemas, 'schema', 'schemas');
    say(row!.routines, 'function', 'functions');
    say(row!.types, 'type', 'types');
    return found;
  } catch (error) {
    throw new BackupError(`Cannot read the database ${databaseName(url)}: ${(error as Error).message}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Whether a plain dump's text contains `needle`, read in pieces (a dump may be large). */
function fileContains(file: string, needle: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let carry = '';
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => {
      const window = carry + chunk;
      if (window.includes(needle)) {
        stream.destroy();
        resolve(true);
      }
      carry = window.slice(-needle.length);
    });
    stream.on('end', () => resolve(false));
    stream.on('error', reject);
  });
}

/** Refuses a dump that is not of a Keyward database, before anything is written. */
async function checkKeywardDump(file: string, kind: Exclude<BackupKind, 'pglite'>): Promise<void> {
  const keyward =
    kind === 'pg_dump plain'
      ? await fileContains(file, 'CREATE TABLE drizzle.__drizzle_migrations')
      : / TABLE drizzle __drizzle_migrations /.test(await run(findTool('pg_restore'), ['--list', file], process.env, 'capture'));
  if (!keyward) throw new BackupError(`${file} is a PostgreSQL dump, but not of a Keyward database (it has no drizzle.__drizzle_migrations).`);
}

/**
 * Restores a pg_dump file (custom format through pg_restore, plain SQL through psql) into the
 * empty database at `url`, in one transaction.
 */
export async function restoreDatabase(url: string, file: string, kind: Exclude<BackupKind, 'pglite'>): Promise<void> {
  const tool = findTool(kind === 'pg_dump custom' ? 'pg_restore' : 'psql');
  await checkKeywardDump(file, kind);
  const contents = await databaseContents(url);
  if (contents.length) {
    throw new BackupError(
      `The database ${databaseName(url)} is not empty (${contents.join(', ')}): restore only into an empty database, e.g. one made with "createdb keyward_restored". Nothing was changed.`,
    );
  }
  const { dbname, env } = connection(url);
  const args =
    kind === 'pg_dump custom'
      ? ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${dbname}`, file]
      : ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--single-transaction', `--dbname=${dbname}`, `--file=${file}`];
  await run(tool, args, env);
}

/** How many migrations the database at `url` has applied (after a restore). */
export async function appliedMigrationsAt(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    return row!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
