/**
 * POST /api/v1/keys/verify as a plain function of (body text, client address) → (status,
 * headers, JSON text), so the node:http fast path and the Next route handler share every line
 * but their adapters. Invalid input is a 400 with field errors, never a 500; a body over the limit
 * a 413; the database being away is a 503, never VALID.
 */
import { isIP } from 'node:net';
import { verifier, type VerifyOutcome } from './verifier';
import type { VerifyResult } from './verify';
import { tooLargeBody } from '@/lib/api/body-limit';
import { JSON_HEADERS, jsonAnswer, type EndpointAnswer } from '@/lib/api/answer';
import { errorBody, errorResponseParts, type ApiErrorBody } from '@/lib/api/errors';

export const MAX_VERIFY_BODY_BYTES = 16 * 1024;

function answer(status: number, payload: VerifyResult | ApiErrorBody, headers?: Record<string, string>): EndpointAnswer {
  return jsonAnswer(status, JSON.stringify(payload), 'error' in payload ? payload.error.code : payload.code, headers);
}

/** The JSON of the answers the verifier hands out again and again (frozen: refusals, cached keys' plain answers). */
const serialized = new WeakMap<VerifyResult, string>();

function answerOutcome({ result, retryAfterSeconds }: VerifyOutcome): EndpointAnswer {
  if (retryAfterSeconds) return answer(429, result, { 'retry-after': String(retryAfterSeconds) });
  if (!Object.isFrozen(result)) return answer(200, result);
  let body = serialized.get(result);
  if (body === undefined) serialized.set(result, (body = JSON.stringify(result)));
  return { status: 200, headers: JSON_HEADERS, body, code: result.code };
}

/** The fields a verify body may have; the type check keeps this list and the type one. */
type VerifyBody = { key?: unknown; require?: unknown; clientAddress?: unknown };
const FIELDS = new Set(Object.keys({ key: true, require: true, clientAddress: true } satisfies Record<keyof VerifyBody, true>));

/** The body's fields verify does not take (none, almost always: no array is made then). */
function unknownFields(input: object): string[] {
  let unknown: string[] | undefined;
  for (const name in input) {
    if (!FIELDS.has(name)) (unknown ??= []).push(name);
  }
  return unknown ?? NONE;
}
const NONE: string[] = [];

/** An IPv4 or IPv6 address as text (no zone, no brackets, no port). */
const isClientAddress = (value: unknown): value is string => typeof value === 'string' && value.length <= 45 && !value.includes('%') && isIP(value) !== 0;

function answerError(error: unknown): EndpointAnswer {
  const { status, body } = errorResponseParts(error);
  return answer(status, body);
}

/** A body over MAX_VERIFY_BODY_BYTES: answered as soon as the limit is passed, and the connection closed. */
export const VERIFY_BODY_TOO_LARGE = jsonAnswer(413, tooLargeBody(MAX_VERIFY_BODY_BYTES), 'payload_too_large', { connection: 'close' });

/**
 * The answer to a body of at most MAX_VERIFY_BODY_BYTES. It is synchronous unless the database
 * must be asked (see Verifier.verify); it never rejects.
 */
export function answerVerify(body: string, clientAddress: string): EndpointAnswer | Promise<EndpointAnswer> {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return answer(400, errorBody('invalid_json', 'The body must be a JSON object.', { _: ['Invalid JSON.'] }));
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return answer(400, errorBody('invalid_input', 'The body must be a JSON object.', { _: ['Expected an object.'] }));
  }
  const { key, require, clientAddress: served } = input as VerifyBody;
  const unknown = unknownFields(input);
  const badServed = served !== undefined && served !== null && !isClientAddress(served);
  if (typeof key !== 'string' || key.length === 0 || unknown.length || badServed) {
    // No prototype: JSON.parse makes `__proto__` an own field, which a plain object's setter would swallow.
    const fields: Record<string, string[]> = Object.create(null);
    if (typeof key !== 'string' || key.length === 0) fields.key = ['key is required and must be a string.'];
    if (badServed) fields.clientAddress = ['clientAddress must be an IPv4 or IPv6 address.'];
    for (const name of unknown) fields[name] = ['Unknown field.'];
    return answer(400, errorBody('invalid_input', 'Invalid request body.', fields));
  }
  let outcome: VerifyOutcome | Promise<VerifyOutcome>;
  try {
    // Failures count against the caller; the key's last use is recorded as the client it serves.
    outcome = verifier().verify(key, require, clientAddress, (served as string | null | undefined) ?? clientAddress);
  } catch (error) {
    return answerError(error);
  }
  return outcome instanceof Promise ? outcome.then(answerOutcome, answerError) : answerOutcome(outcome);
}
