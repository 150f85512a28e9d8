/**
 * The REST API's error shape, `{error: {code, message, fields?}}`, and the status for each
 * domain error. Unexpected errors become a plain 500 (or 503 when the database is away) whose
 * message says nothing about the cause.
 */
import { DomainError, errorKind, isDatabaseUnavailable, type DomainErrorCode } from '@/lib/errors';
import { logger } from '@/lib/log/logger';
import { recordDatabaseError } from '@/lib/metrics/recorder';

export type ApiErrorBody = { error: { code: string; message: string; fields?: Record<string, string[]> } };

export const STATUS_OF: Record<DomainErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  webhook_key_confirmation_required: 409,
  // A key's own limits (lib/limits), met by a REST call made with it.
  address_not_allowed: 403,
  usage_exceeded: 429,
};

export function errorBody(code: string, message: string, fields?: Record<string, string[]>): ApiErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
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
  recordDatabaseError(error);
  if (isDatabaseUnavailable(error)) {
    return { status: 503, body: errorBody('unavailable', 'The database is unavailable. Try again shortly.') };
  }
  logger().error(`[api] unexpected ${errorKind(error)}`);
  return { status: 500, body: errorBody('internal', 'Something went wrong; nothing was changed.') };
}
