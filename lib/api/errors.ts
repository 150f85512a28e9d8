/**
 * The REST API's error shape, `{error: {code, message, fields?}}`, and the status for each
 * domain error. Unexpected errors become a plain 500 (or 503 when the database is away) whose
 * message says nothing about the cause.
 */
import { DomainError, errorKind, hasErrorCode, type DomainErrorCode } from '@/lib/errors';

export type ApiErrorBody = { error: { code: string; message: string; fields?: Record<string, string[]> } };

export const STATUS_OF: Record<DomainErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};

export function errorBody(code: string, message: string, fields?: Record<string, string[]>): ApiErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
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

/**
 * A DomainError from either copy of lib/: server.ts (run by tsx) and Next's bundle each load the
 * code, and objects shared through globalThis (the verifier) throw their own copy's class.
 */
function asDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  const candidate = error as Partial<DomainError> | null;
  if (error instanceof Error && candidate?.name === 'DomainError' && typeof candidate.code === 'string' && Object.hasOwn(STATUS_OF, candidate.code)) {
    return error as DomainError;
  }
  return undefined;
}

export function errorResponseParts(error: unknown): { status: number; body: ApiErrorBody } {
  const domainError = asDomainError(error);
  if (domainError) {
    return { status: STATUS_OF[domainError.code], body: errorBody(domainError.code, domainError.message, domainError.fieldErrors) };
  }
  if (isDatabaseUnavailable(error)) {
    return { status: 503, body: errorBody('unavailable', 'The database is unavailable. Try again shortly.') };
  }
  console.error(`[api] unexpected ${errorKind(error)}`);
  return { status: 500, body: errorBody('internal', 'Something went wrong; nothing was changed.') };
}
