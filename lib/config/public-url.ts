/**
 * The deployment's own address, for snippets shown to administrators: AUTH_URL when the operator
 * set it (Auth.js reads the same variable), else the host the browser asked for.
 */
export function publicUrl(headers: Headers): string {
  const configured = process.env.AUTH_URL;
  if (configured) return new URL(configured).origin;
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? 'localhost:3000';
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? 'http';
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
