/**
 * An answer to a machine as plain data (status, headers, JSON text), so the node:http front
 * (lib/api/http-server.ts), a verify node and Next's route handlers send the same bytes: verify's
 * answers, its refusals before the body, and the health checks.
 */
import type { ServerResponse } from 'node:http';

/** `code`: the answer's `code` (VALID, NOT_FOUND, …) or an error answer's `error.code`, for the metrics. */
export type EndpointAnswer = { status: number; headers: Record<string, string>; body: string; code: string };

// Only the headers that mean something to a machine (the page headers of lib/security/headers.ts
// add bytes to every verification and protect nothing here).
export const JSON_HEADERS: Record<string, string> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON answer; `headers` are added to JSON_HEADERS (none: the shared object itself). */
export function jsonAnswer(status: number, body: string, code: string, headers?: Record<string, string>): EndpointAnswer {
  return { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, body, code };
}

/** For a Next route handler. */
export const toResponse = (answer: EndpointAnswer): Response => new Response(answer.body, { status: answer.status, headers: answer.headers });

/**
 * Sends an answer whose response may already carry headers set one by one (the request id, the
 * front's Strict-Transport-Security): writeHead adds the answer's to them.
 */
export function writeAnswer(response: ServerResponse, answer: EndpointAnswer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  response.end(answer.body); // none for HEAD: node:http drops it
}
