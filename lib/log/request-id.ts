/**
 * Every answer carries an `x-request-id`, and the request's log line names it. An incoming id is
 * kept only when it is a safe token (letters, digits and `-_.:`, at most 128 characters, so it can
 * neither break a log line nor carry much) and holds nothing like a Keyward key (`<prefix>_`, even
 * mistyped), which a client might send by mistake and which must never reach a log. Anything
 * else gets a new random UUID.
 */
import { randomUUID } from 'node:crypto';
import { keyPrefix } from '@/lib/keys/format';

export const MAX_REQUEST_ID_LENGTH = 128;

const SAFE_TOKEN = /^[A-Za-z0-9._:-]+$/;

/** The id of a request that sent `incoming` as its x-request-id (a repeated header is not reused). */
export function requestIdFor(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && incoming.length > 0 && incoming.length <= MAX_REQUEST_ID_LENGTH && SAFE_TOKEN.test(incoming)) {
    if (!incoming.includes(`${keyPrefix()}_`)) return incoming;
  }
  return randomUUID();
}
