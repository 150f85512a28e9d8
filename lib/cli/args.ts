/**
 * The operator CLI's grammar: turns argv into a typed command or a UsageError, and holds the
 * usage text. Knows nothing about databases; values are checked later by the domain schemas.
 * Passwords are never accepted as arguments (they would land in shell history and `ps`).
 */
import { parseArgs } from 'node:util';

export type Command =
  | { kind: 'help' }
  | { kind: 'project add'; slug: string; name?: string }
  | { kind: 'user add'; email: string; project: string; role: string; name?: string; passwordStdin: boolean }
  | { kind: 'user set-password'; email: string }
  | { kind: 'user set-role'; email: string; project: string; role: string }
  | { kind: 'user remove'; email: string; project: string }
  | { kind: 'user show'; email: string }
  | { kind: 'key create'; name: string; project: string; count?: string; permissions?: string; expires?: string }
  | { kind: 'key list'; project: string; limit?: string }
  | { kind: 'key verify'; require?: string; at?: string }
  | { kind: 'audit list'; project: string; limit?: string }
  | { kind: 'seed'; project: string; keys: string; admin?: string; batch?: string }
  | { kind: 'backup'; file: string; force: boolean }
  | { kind: 'restore'; file: string };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const usage = `Usage: npm run keyward -- <command> [options]

Commands:
  project add <slug> [--name <name>]
      Create a project.
  user add <email> --project <slug> --role admin|member [--name <name>] [--password-stdin]
      Create a user with a role in a project. Without --password-stdin the user has no
      password (and cannot sign in with one) until "user set-password".
  user set-password <email> --password-stdin
      Set a user's password, read from the first line of stdin.
  user set-role <email> --project <slug> --role admin|member
      Give an existing user a role in a project, adding them to it if needed.
  user remove <email> --project <slug>
      Remove a user from a project.
  user show <email>
      Print a user and their projects and roles as JSON (never a password hash).
  key create <name> --project <slug> [--count <n>] [--permissions <json>] [--expires <iso time>]
      Create keys (full access unless --permissions, e.g. '{"calls":"read"}') and print
      "<key id> <secret>" for each; with --count, names are numbered. Secrets are shown only here.
  key list <slug> [--limit <n>]
      Print a project's keys as JSON, newest first (never their secrets).
  key verify [--require <resource=level,...>] [--at <iso time>]
      Check the key given on stdin (first line) and print the verification answer as JSON;
      --at judges it at another time, e.g. after a rotation's grace period.
  audit list <slug> [--limit <n>]
      Print a project's audit events as JSON, newest first (default 100, at most 100).
  seed --project <slug> --keys <n> [--admin <email>] [--batch <n>]
      Add <n> keys to a project (created if missing), to try the console at scale; --admin
      makes that user (created without a password if missing) an administrator of it. Seeded
      keys list, search and sort like any key but never verify. Also "npm run db:seed -- ...".
      Runs in this process only: not while a server holds the embedded database.
  backup <file> [--force]
      Write a backup of the whole database to <file> (mode 0600: it holds key hashes and
      ciphertexts). Embedded database: a consistent snapshot, taken through the running server
      if one holds the data dir. PostgreSQL: pg_dump's custom format (pg_dump must be on PATH).
      An existing <file> is replaced only with --force.
  restore <file>
      Restore a backup into an empty data dir (KEYWARD_DATA_DIR) or an empty database
      (DATABASE_URL; pg_restore, or psql for a plain SQL dump). Refuses one that holds data, or
      a data dir a server holds, and changes nothing then. Start Keyward on it afterwards: it
      applies newer migrations at start. The backup's KEYWARD_ENCRYPTION_KEY must be set.
  help
      Show this text.

The database is PostgreSQL when DATABASE_URL is set, otherwise the embedded database in
KEYWARD_DATA_DIR (default .data); while a Keyward server holds that, commands run inside
the server through its operator socket. Passwords are read from stdin, never from arguments.
Exit status: 0 done, 1 refused (bad input, unknown user or project, duplicate), 2 usage error.`;

const options = {
  name: { type: 'string' },
  project: { type: 'string' },
  role: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  count: { type: 'string' },
  permissions: { type: 'string' },
  expires: { type: 'string' },
  limit: { type: 'string' },
  require: { type: 'string' },
  at: { type: 'string' },
  keys: { type: 'string' },
  admin: { type: 'string' },
  batch: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof options;

// Each command: its positional argument, the options it allows and those it requires.
const grammar: Record<Exclude<Command['kind'], 'help'>, { arg: string | null; allowed: OptionName[]; required: OptionName[] }> = {
  'project add': { arg: 'slug', allowed: ['name'], required: [] },
  'user add': { arg: 'email', allowed: ['project', 'role', 'name', 'password-stdin'], required: ['project', 'role'] },
  'user set-password': { arg: 'email', allowed: ['password-stdin'], required: ['password-stdin'] },
  'user set-role': { arg: 'email', allowed: ['project', 'role'], required: ['project', 'role'] },
  'user remove': { arg: 'email', allowed: ['project'], required: ['project'] },
  'user show': { arg: 'email', allowed: [], required: [] },
  'key create': { arg: 'name', allowed: ['project', 'count', 'permissions', 'expires'], required: ['project'] },
  'key list': { arg: 'slug', allowed: ['limit'], required: [] },
  // The key itself is read from stdin: arguments end up in shell history and `ps`.
  'key verify': { arg: null, allowed: ['require', 'at'], required: [] },
  'audit list': { arg: 'slug', allowed: ['limit'], required: [] },
  seed: { arg: null, allowed: ['project', 'keys', 'admin', 'batch'], required: ['project', 'keys'] },
  backup: { arg: 'file', allowed: ['force'], required: [] },
  restore: { arg: 'file', allowed: [], required: [] },
};

function isKind(words: string): words is keyof typeof grammar {
  return Object.hasOwn(grammar, words);
}

export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's own wording for an unknown option adds advice about "--" that misleads here.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message);
    throw new UsageError(unknown ? `Unknown option "${unknown[1]}".` : (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || (positionals.length === 1 && positionals[0] === 'help')) {
    return { kind: 'help' };
  }
  // A command is one word (seed) or two (project add).
  const words = isKind(positionals[0]!) ? positionals[0]! : positionals.slice(0, 2).join(' ');
  if (!isKind(words)) throw new UsageError(`Unknown command "${words}".`);
  const { arg, allowed, required } = grammar[words];
  const rest = positionals.slice(words.split(' ').length);
  if (arg === null && rest.length !== 0) throw new UsageError(`"${words}" takes no arguments.`);
  if (arg !== null && rest.length !== 1) throw new UsageError(`"${words}" takes exactly one <${arg}>.`);
  for (const name of Object.keys(values) as OptionName[]) {
    if (!allowed.includes(name)) throw new UsageError(`"${words}" does not take --${name}.`);
  }
  for (const name of required) {
    if (values[name] === undefined) throw new UsageError(`"${words}" needs --${name}.`);
  }
  const value = rest[0] ?? '';
  switch (words) {
    case 'project add':
      return { kind: words, slug: value, name: values.name };
    case 'user add':
      return { kind: words, email: value, project: values.project!, role: values.role!, name: values.name, passwordStdin: values['password-stdin'] === true };
    case 'user set-password':
      return { kind: words, email: value };
    case 'user set-role':
      return { kind: words, email: value, project: values.project!, role: values.role! };
    case 'user remove':
      return { kind: words, email: value, project: values.project! };
    case 'user show':
      return { kind: words, email: value };
    case 'key create':
      return { kind: words, name: value, project: values.project!, count: values.count, permissions: values.permissions, expires: values.expires };
    case 'key list':
      return { kind: words, project: value, limit: values.limit };
    case 'key verify':
      return { kind: words, require: values.require, at: values.at };
    case 'audit list':
      return { kind: words, project: value, limit: values.limit };
    case 'seed':
      return { kind: words, project: values.project!, keys: values.keys!, admin: values.admin, batch: values.batch };
    case 'backup':
      return { kind: words, file: value, force: values.force === true };
    case 'restore':
      return { kind: words, file: value };
  }
}

/** Whether the command reads a secret (a password, or a key to verify) from stdin. */
export function readsPassword(command: Command): boolean {
  return command.kind === 'user set-password' || command.kind === 'key verify' || (command.kind === 'user add' && command.passwordStdin);
}
