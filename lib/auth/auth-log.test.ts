import { CallbackRouteError } from '@auth/core/errors';
import { describe, expect, it } from 'vitest';
import { authErrorLine } from './auth-log';

const token = 'eyJhbGciOiJSUzI1NiJ9.leaked-token.signature';

// How Auth.js wraps the error it caught (lib/actions/callback); its types leave this form out.
const CallbackRouteErrorOf = CallbackRouteError as unknown as new (caught: Error, details: Record<string, string>) => Error;

describe('authErrorLine', () => {
  it('names an Auth.js error by its type, with the codes of its causes and none of their messages', () => {
    // What oauth4webapi throws for an error answer of the token endpoint, wrapped as Auth.js does.
    const answer = Object.assign(new Error(`server responded with an error in the response body ${token}`), {
      code: 'OAUTH_RESPONSE_BODY_ERROR',
      error: 'invalid_grant',
      cause: { error: 'invalid_grant', error_description: `grant ${token} is invalid` },
    });
    const line = authErrorLine(new CallbackRouteErrorOf(answer, { provider: 'oidc' }));
    expect(line).toBe('[auth] CallbackRouteError: Read more at https://errors.authjs.dev#callbackrouteerror (invalid_grant, OAUTH_RESPONSE_BODY_ERROR)');
    expect(line).not.toContain(token);
  });

  it('tells a provider that does not answer by the network error code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4100'), { code: 'ECONNREFUSED' });
    expect(authErrorLine(new TypeError('fetch failed', { cause: refused }))).toBe('[auth] TypeError: fetch failed (ECONNREFUSED)');
  });

  it('leaves out a "code" that is not a word, and stops on a cycle', () => {
    const looping: { code: string; cause?: unknown } = { code: `not a code: ${token}` };
    looping.cause = looping;
    expect(authErrorLine(new Error('odd', { cause: looping }))).toBe('[auth] Error: odd');
  });
});
