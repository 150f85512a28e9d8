/**
 * The REST API's HTTP plumbing: JSON answers that are never cached, and request bodies read as
 * JSON within a size limit. Bad bodies become 400 answers here, before any domain code runs.
 */
import { DomainError } from '@/lib/errors';
import { errorBody, errorResponseParts } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;

const NO_STORE = { 'cache-control': 'no-store' };

export function json(status: number, payload: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(payload, { status, headers: { ...NO_STORE, ...headers } });
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: NO_STORE });
}

/** Any error as the API's error answer; a 401 says how to authenticate. */
export function errorResponse(error: unknown): Response {
  const { status, body } = errorResponseParts(error);
  return json(status, body, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function tooLarge(limit: number): DomainError {
  return new DomainError('invalid_input', `The body must be at most ${limit} bytes.`, { _: ['Body too large.'] });
}

/** Reads at most `limit` bytes of the body, stopping (not buffering) once it is larger. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

/** The body as parsed JSON, or the 400 to answer: wrong type, too large, not UTF-8, not JSON. */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<JsonBody> {
  if (!JSON_TYPE.test(request.headers.get('content-type') ?? '')) {
    const error = new DomainError('invalid_input', 'Send the body as JSON, with Content-Type: application/json.', {
      _: ['Expected Content-Type: application/json.'],
    });
    return { ok: false, response: errorResponse(error) };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readLimited(request, limit));
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, response: errorResponse(error) };
    return { ok: false, response: json(400, errorBody('invalid_json', 'The body must be UTF-8 JSON.', { _: ['Invalid UTF-8.'] })) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: json(400, errorBody('invalid_json', 'The body must be a JSON object.', { _: ['Invalid JSON.'] })) };
  }
}
