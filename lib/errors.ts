/**
 * The errors domain functions raise on purpose. Adapters (server actions, route handlers, the
 * CLI) map them to their own shapes; anything else is a bug and becomes a generic 500.
 */
export type DomainErrorCode = 'invalid_input' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited';

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

/** Postgres unique_violation, from either driver. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true;
  }
  return false;
}
