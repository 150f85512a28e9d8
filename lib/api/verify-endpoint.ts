/**
 * POST /api/v1/keys/verify as a plain function of (body text, client address) → (status,
 * headers, JSON text), so the node:http fast path and the Next route handler share every line
 * but their adapters. Invalid input is a 400 with field errors, never a 500; the database being
 * away is a 503, never VALID.
 */
import { verifier } from '@/lib/keys/verifier';
import { errorBody, errorResponseParts } from './errors';

export const MAX_VERIFY_BODY_BYTES = 16 * 1024;

export type EndpointAnswer = { status: number; headers: Record<string, string>; body: string };

// A JSON answer to a machine: only the headers that mean something to one (the page headers of
// lib/security/headers.ts add bytes to every verification and protect nothing here).
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function answer(status: number, payload: unknown, headers?: Record<string, string>): EndpointAnswer {
  return { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, body: JSON.stringify(payload) };
}

/** `body` is undefined when it was larger than MAX_VERIFY_BODY_BYTES. */
export async function answerVerify(body: string | undefined, clientAddress: string): Promise<EndpointAnswer> {
  if (body === undefined) {
    return answer(400, errorBody('invalid_input', `The body must be at most ${MAX_VERIFY_BODY_BYTES} bytes.`, { _: ['Body too large.'] }));
  }
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return answer(400, errorBody('invalid_json', 'The body must be a JSON object.', { _: ['Invalid JSON.'] }));
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return answer(400, errorBody('invalid_input', 'The body must be a JSON object.', { _: ['Expected an object.'] }));
  }
  const { key, require, ...extra } = input as Record<string, unknown>;
  const fields: Record<string, string[]> = {};
  if (typeof key !== 'string' || key.length === 0) fields.key = ['key is required and must be a string.'];
  for (const name of Object.keys(extra)) fields[name] = ['Unknown field.'];
  if (Object.keys(fields).length) return answer(400, errorBody('invalid_input', 'Invalid request body.', fields));
  try {
    const { result, retryAfterSeconds } = await verifier().verify(key, require, clientAddress);
    if (retryAfterSeconds) return answer(429, result, { 'retry-after': String(retryAfterSeconds) });
    return answer(200, result);
  } catch (error) {
    const { status, body: errorJson } = errorResponseParts(error);
    return answer(status, errorJson);
  }
}
