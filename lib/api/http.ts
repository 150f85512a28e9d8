/**
 * The REST API's HTTP plumbing: JSON answers that are never cached, and request bodies read as
 * JSON within a size limit (lib/api/body-limit.ts), after the caller is authenticated. Bad bodies
 * become 400 answers here, before any domain code runs.
 */
import { DomainError, invalidInput } from '@/lib/errors';
import { BodyTooLarge, readBodyWithin } from './body-limit';
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

/** The query string as one value per name; a parameter given twice is a 400 naming it, never a silent pick. */
export function queryParams(request: Request): Record<string, string> {
  const search = new URL(request.url).searchParams;
  const repeated = [...new Set(search.keys())].filter((name) => search.getAll(name).length > 1);
  if (repeated.length) throw invalidInput(repeated.map((name) => ({ path: [name], message: 'Give this parameter once.' })));
  return Object.fromEntries(search);
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

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
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readBodyWithin(request, limit));
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      // The API's documented 400; the rest of the body stays unread, so the connection cannot be reused.
      const response = errorResponse(new DomainError('invalid_input', error.message, { _: ['Body too large.'] }));
      response.headers.set('connection', 'close');
      return { ok: false, response };
    }
    return { ok: false, response: json(400, errorBody('invalid_json', 'The body must be UTF-8 JSON.', { _: ['Invalid UTF-8.'] })) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: json(400, errorBody('invalid_json', 'The body must be a JSON object.', { _: ['Invalid JSON.'] })) };
  }
}
