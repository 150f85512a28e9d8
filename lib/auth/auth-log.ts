/**
 * How an error Auth.js reports reaches the server's log: one line with its type (class names do
 * not survive the production build's minifier), its message, and the codes of what caused it
 * (ECONNREFUSED, invalid_grant…), so an operator can tell a provider that is down from a client
 * that is misconfigured. Never the causes' messages or bodies: those can quote a token, or a
 * database query's parameters.
 */

type Cause = { code?: unknown; error?: unknown; err?: unknown; cause?: unknown };

// A code is a word: anything else (a provider can answer any text) is left out.
const CODE = /^[\w.-]{1,64}$/;

export function authErrorLine(error: Error): string {
  const type = (error as { type?: unknown }).type;
  const codes: string[] = [];
  let cause = error.cause as Cause | undefined;
  for (let depth = 0; cause && typeof cause === 'object' && depth < 5; depth++) {
    for (const code of [cause.code, cause.error]) {
      if (typeof code === 'string' && CODE.test(code) && !codes.includes(code)) codes.push(code);
    }
    // Auth.js keeps the error it wraps as `cause.err`; others chain `cause`.
    cause = (cause.err ?? cause.cause) as Cause | undefined;
  }
  return `[auth] ${typeof type === 'string' ? type : error.name}: ${error.message}${codes.length ? ` (${codes.join(', ')})` : ''}`;
}
