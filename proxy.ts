/**
 * A convenience only: sends signed-out visitors of console pages to /login with the page they
 * asked for. Every page, action and route still checks the session and role itself.
 */
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server';
import { auth } from '@/lib/auth/config';

type Handler = (request: NextRequest, event: NextFetchEvent) => Promise<Response | undefined>;

// With a lazily built config (lib/auth/config.ts), Auth.js hands the wrapped handler back in a promise.
const withSession = auth((request) => {
  if (request.auth?.user) return NextResponse.next();
  const login = new URL('/login', request.nextUrl);
  login.searchParams.set('callbackUrl', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(login);
}) as unknown as Promise<Handler>;

export async function proxy(request: NextRequest, event: NextFetchEvent) {
  return (await withSession)(request, event);
}

export const config = { matcher: ['/', '/projects/:path*'] };
