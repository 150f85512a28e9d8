/**
 * Request bodies read within a byte limit, for every route handler that reads one (verify, the
 * REST API): reading stops at the first byte over the limit, so an endless or oversized body
 * costs at most `limit` bytes. It never cancels the stream: under Next that destroys the socket
 * before the refusal is sent; the refusal closes the connection instead (`connection: close`).
 * No imports: next.config.ts reads MAX_CONSOLE_BODY_BYTES from here.
 */

/** Server actions and Auth.js (console forms): the largest the console sends is a few KB. */
export const MAX_CONSOLE_BODY_BYTES = 16 * 1024;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The body must be at most ${limit} bytes.`);
    this.name = 'BodyTooLarge';
  }
}

/** The JSON error (lib/api/errors.ts's shape) of a body over `limit`, from server.ts and the route handlers alike. */
export function tooLargeBody(limit: number): string {
  return JSON.stringify({ error: { code: 'payload_too_large', message: `The body must be at most ${limit} bytes.` } });
}

/** The body's bytes, or BodyTooLarge (thrown) at the first byte over `limit`. */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array> {
  if (Number(request.headers.get('content-length')) > limit) throw new BodyTooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new BodyTooLarge(limit);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The 413 a route handler answers with; closing the connection leaves the rest of the body unread. */
export function tooLargeResponse(limit: number): Response {
  return new Response(tooLargeBody(limit), {
    status: 413,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' },
  });
}
