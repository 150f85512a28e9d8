/**
 * Authenticates a REST call by its `Authorization: Bearer <key>`. The key goes through the same
 * verifier as POST /keys/verify, so every failure counts against the client's address and a
 * flood is answered 429. Missing, malformed, unknown, expired: one and the same 401, so nothing
 * tells which keys exist. A key's own limits hold here as at verify: outside its allowed addresses
 * (the call's client address, by the trusted-proxy rule) a 403 `address_not_allowed`, past its rate
 * limit a 429 with Retry-After, with no uses left a 429 `usage_exceeded` (with Retry-After when a
 * refill is due). A success names the key only by its hash: what it may do is read from the
 * database by each domain function, inside its own transaction (lib/auth/authorize.ts).
 */
import { DomainError } from '@/lib/errors';
import { KEY_NOT_VALID, type Actor } from '@/lib/auth/authorize';
import { hashKey } from '@/lib/keys/crypto';
import { verifier, type Verifier } from '@/lib/verify/verifier';

export type Authentication = { ok: true; actor: Actor } | { ok: false; error: DomainError; retryAfterSeconds?: number };

/** The token of `Bearer <token>` (scheme in any case), or '' for anything else. */
export function bearerToken(header: string | null): string {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1] ?? '';
}

export async function authenticate(headers: Headers, address: string, keys: Verifier = verifier()): Promise<Authentication> {
  const token = bearerToken(headers.get('authorization'));
  const { result, retryAfterSeconds, keyLimit } = await keys.verify(token, undefined, address);
  // A real key's own limits, met by this call (lib/limits): its client address, rate and uses.
  if (result.code === 'ADDRESS_NOT_ALLOWED') return { ok: false, error: new DomainError('address_not_allowed', 'This key cannot be used from this address.') };
  if (result.code === 'USAGE_EXCEEDED') {
    const refill = result.retryAfterSeconds;
    return refill
      ? { ok: false, error: new DomainError('usage_exceeded', `This key has no uses left until its next refill, in ${refill} s.`), retryAfterSeconds: refill }
      : { ok: false, error: new DomainError('usage_exceeded', 'This key has no uses left, and no refill.') };
  }
  if (retryAfterSeconds && keyLimit) {
    return { ok: false, error: new DomainError('rate_limited', `This key’s rate limit is reached. Try again in ${retryAfterSeconds} s.`), retryAfterSeconds };
  }
  if (retryAfterSeconds) {
    return {
      ok: false,
      error: new DomainError('rate_limited', `Too many failed attempts from this address. Try again in ${retryAfterSeconds} s.`),
      retryAfterSeconds,
    };
  }
  if (!result.valid) return { ok: false, error: new DomainError('unauthorized', KEY_NOT_VALID) };
  return { ok: true, actor: { type: 'api_key', keyHash: hashKey(token), clientAddress: address } };
}
