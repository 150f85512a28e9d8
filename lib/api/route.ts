/**
 * The one wrapper every REST route handler runs in: authenticate the bearer key, read a JSON
 * body if the route takes one, run the handler (which calls one domain function) and map any
 * error to `{error: {code, message, fields?}}`. Answers are never cached.
 */
import { getDb, type Db } from '@/db/client';
import type { Actor } from '@/lib/auth/authorize';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { authenticate } from './bearer';
import { clientAddress } from './client-address';
import { errorResponse, readJsonBody } from './http';

export type ApiContext<Params> = {
  request: Request;
  db: Db;
  catalogue: Catalogue;
  actor: Actor;
  params: Params;
  /** The parsed JSON body; undefined unless the route takes one. */
  body: unknown;
};

type RouteContext<Params> = { params: Promise<Params> };

export function apiRoute<Params extends Record<string, string> = Record<string, never>>(
  handler: (context: ApiContext<Params>) => Promise<Response>,
  options: { body?: 'json' } = {},
): (request: Request, context: RouteContext<Params>) => Promise<Response> {
  return async (request, context) => {
    try {
      const authentication = await authenticate(request.headers, clientAddress(request.headers));
      if (!authentication.ok) {
        const response = errorResponse(authentication.error);
        if (authentication.retryAfterSeconds) response.headers.set('retry-after', String(authentication.retryAfterSeconds));
        return response;
      }
      let body: unknown;
      if (options.body === 'json') {
        const read = await readJsonBody(request);
        if (!read.ok) return read.response;
        body = read.value;
      }
      return await handler({ request, db: getDb(), catalogue: activeCatalogue(), actor: authentication.actor, params: await context.params, body });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
