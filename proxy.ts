/**
 * Runs before every page: gives the response its Content-Security-Policy with a fresh nonce
 * (lib/security/headers.ts), and, for console pages, sends signed-out visitors to /login with
 * the page they asked for. The redirect is a convenience only: every page, action and route
 * still checks the session and role itself.
 */
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server';
import { auth } from '@/lib/auth/config';
import { contentSecurityPolicy, newNonce } from '@/lib/security/headers';

type Handler = (request: NextRequest, event: NextFetchEvent) => Promise<Response | undefined>;

// With a lazily built config (lib/auth/config.ts), Auth.js hands the wrapped handler back in a promise.
const withSession = auth((request) => {
  if (request.auth?.user) return;
  const login = new URL('/login', request.nextUrl);
  login.searchParams.set('callbackUrl', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(login);
}) as unknown as Promise<Handler>;

const needsSession = (pathname: string) => pathname === '/' || pathname.startsWith('/projects/');

export async function proxy(request: NextRequest, event: NextFetchEvent) {
  const policy = contentSecurityPolicy(newNonce());
  const checked = needsSession(request.nextUrl.pathname) ? await (await withSession)(request, event) : undefined;
  if (checked && checked.status >= 300 && checked.status < 400) {
    checked.headers.set('content-security-policy', policy);
    return checked;
  }
  // Next reads the nonce for its own scripts from the policy on the request.
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  headers.delete('x-middleware-subrequest');
  const response = NextResponse.next({ request: { headers } });
  for (const cookie of checked?.headers.getSetCookie() ?? []) response.headers.append('set-cookie', cookie);
  response.headers.set('content-security-policy', policy);
  return response;
}

// Pages only: route handlers under /api answer JSON with the static headers of next.config.ts.
export const config = { matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'] };
