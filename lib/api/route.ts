/**
 * The one wrapper every REST route handler runs in: authenticate the bearer key, parse the path
 * parameters and the JSON body with the route's schemas, run the handler (which calls one
 * domain function, and that authorizes, validates again and writes) and map any error to
 * `{error: {code, message, fields?}}`. Answers are never cached. Handlers never cast: what they
 * get has passed its schema. A body its schema refuses is answered as the domain would answer
 * it, authorization first: a key that may not make the change hears that, not what was wrong
 * with its input.
 */
import type { z } from 'zod';
import { getDb, type Db } from '@/db/client';
import { authorize, type Actor, type Need } from '@/lib/auth/authorize';
import { invalidInput, parseInput } from '@/lib/errors';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { authenticate } from './bearer';
import { clientAddress } from './client-address';
import { errorResponse, readJsonBody } from './http';

/** A body's schema; key input depends on the deployment's catalogue. */
type BodySchema = z.ZodType | ((catalogue: Catalogue) => z.ZodType);

/**
 * The body as sent, once its schema accepted it: the shape the domain functions take (they
 * parse it again, after authorizing, as they do for the console).
 */
type BodyOf<B> = B extends z.ZodType
  ? z.input<B>
  : B extends (catalogue: Catalogue) => infer S
    ? S extends z.ZodType
      ? z.input<S>
      : never
    : undefined;
type ParamsOf<P> = P extends z.ZodType ? z.output<P> : Record<string, never>;

export type ApiContext<Params, Body> = {
  request: Request;
  db: Db;
  catalogue: Catalogue;
  actor: Actor;
  params: Params;
  body: Body;
};

type RouteContext = { params: Promise<Record<string, string>> };

/** A route's schemas; a route with a body names what its change needs, to refuse a bad body in the domain's order. */
type RouteSchemas<P, B> = { params?: P } & ({ body?: undefined } | { body: B; need: Need });

export function apiRoute<P extends z.ZodType | undefined = undefined, B extends BodySchema | undefined = undefined>(
  schemas: RouteSchemas<P, B>,
  handler: (context: ApiContext<ParamsOf<P>, BodyOf<B>>) => Promise<Response>,
): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const authentication = await authenticate(request.headers, clientAddress(request.headers));
      if (!authentication.ok) {
        const response = errorResponse(authentication.error);
        if (authentication.retryAfterSeconds) response.headers.set('retry-after', String(authentication.retryAfterSeconds));
        return response;
      }
      const catalogue = activeCatalogue();
      const params = (schemas.params ? parseInput(schemas.params, await context.params) : {}) as ParamsOf<P>;
      let body: unknown;
      if ('need' in schemas && schemas.body) {
        const given: BodySchema = schemas.body;
        const read = await readJsonBody(request);
        if (!read.ok) return read.response;
        const schema = typeof given === 'function' ? given(catalogue) : given;
        const parsed = schema.safeParse(read.value);
        if (!parsed.success) {
          await authorize(getDb(), authentication.actor, schemas.need, catalogue);
          throw invalidInput(parsed.error.issues);
        }
        body = read.value;
      }
      // Sound: the body passed its schema above (a schema's accepted input is its input type).
      return await handler({ request, db: getDb(), catalogue, actor: authentication.actor, params, body: body as BodyOf<B> });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
