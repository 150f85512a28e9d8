/**
 * The errors domain functions raise on purpose. Adapters (server actions, route handlers, the
 * CLI) map them to their own shapes; anything else is a bug and becomes a generic 500.
 */
import type { z } from 'zod';

export type DomainErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  // A bulk delete that includes the webhook key without saying so: nothing was deleted.
  | 'webhook_key_confirmation_required'
  // A key's own limits (lib/limits), met by a REST call made with it.
  | 'address_not_allowed'
  | 'usage_exceeded';

export type FieldErrors = Record<string, string[]>;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Turns a failed zod parse into a DomainError that keeps every field's messages. */
export function invalidInput(issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[]): DomainError {
  // A Map, then own properties: a plain object's `__proto__` setter would swallow that field's name.
  const fields = new Map<string, string[]>();
  const add = (field: string, message: string) => {
    const messages = fields.get(field);
    if (messages) messages.push(message);
    else fields.set(field, [message]);
  };
  for (const issue of issues) {
    const at = issue.path.map(String);
    // A strict object's extra fields: each is named as a field of its own.
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      for (const key of issue.keys) add([...at, key].join('.'), 'Unknown field.');
      continue;
    }
    add(at.join('.') || '_', issue.message);
  }
  const fieldErrors: FieldErrors = Object.fromEntries(fields);
  const summary = Object.entries(fieldErrors)
    .map(([field, messages]) => (field === '_' ? messages[0] : `${field}: ${messages[0]}`))
    .join('; ');
  return new DomainError('invalid_input', summary, fieldErrors);
}

/**
 * Parses input with its schema, or throws invalid_input naming every field's messages. `field`
 * names the field of a lone value (an email, a role), whose issues have no path of their own.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, field?: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidInput(field === undefined ? parsed.error.issues : parsed.error.issues.map((issue) => ({ ...issue, path: [field] })));
}

/** Whether the error, or any error in its `cause` chain, has this code: drivers wrap what Postgres sent. */
export function hasErrorCode(error: unknown, codes: string | ReadonlySet<string>): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof codes === 'string' ? e.code === codes : codes.has(e.code ?? '')) return true;
  }
  return false;
}

// Socket errors, postgres.js's own connection codes, and PostgreSQL's connection exceptions
// (class 08) and shutdowns (57P01-57P03).
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
]);

/** Connection failures from either driver: the database is not there right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return hasErrorCode(error, UNAVAILABLE_CODES);
}

export type DatabaseErrorKind = 'connection' | 'query';

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * `connection` when the database could not be reached, `query` when it refused a statement (an
 * error in the cause chain carries a SQLSTATE, or Drizzle wrapped a failed query), otherwise
 * undefined: the error did not come from the database.
 */
export function databaseErrorKind(error: unknown): DatabaseErrorKind | undefined {
  if (isDatabaseUnavailable(error)) return 'connection';
  for (let e = error as { code?: unknown; name?: unknown; cause?: unknown } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    if (e.name === 'DrizzleQueryError' || (typeof e.code === 'string' && SQLSTATE.test(e.code))) return 'query';
  }
  return undefined;
}

/** Postgres unique_violation, from either driver. */
export function isUniqueViolation(error: unknown): boolean {
  return hasErrorCode(error, '23505');
}

/**
 * An unexpected error as a log line may show it: its name and its cause's code, never its
 * message, which for a database error can quote the query's parameters.
 */
export function errorKind(error: unknown): string {
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code;
  return `${(error as Error | null)?.name}${code ? ` (${code})` : ''}`;
}
