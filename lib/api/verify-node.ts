/**
 * A verify node (KEYWARD_ROLE=verify): the production server without the console. It answers
 * POST /api/v1/keys/verify as every node does (lib/api/http-server.ts), and its health for the
 * load balancer; every other path is a 404 that says where the console is. Next is never loaded,
 * and with it go the process-wide costs it puts on every request (its AsyncLocalStorage's hooks,
 * its clock and timer patches): a verify node answers a cached key for less CPU than a console
 * node does. It is one more node on the shared PostgreSQL database — counts, limits and key
 * changes reach it as they reach any node — so it needs PostgreSQL: the embedded database opens
 * in one process only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIVE, readiness } from '@/lib/setup/health';
import { jsonAnswer, writeAnswer } from './answer';
import { errorBody } from './errors';
import { pathnameOf } from './http-server';

export type ServerRole = 'console' | 'verify';

/** KEYWARD_ROLE: `console` (the default: the console, the REST API and verify) or `verify`. */
export function serverRoleFromEnv(env: Record<string, string | undefined> = process.env): ServerRole {
  const role = env.KEYWARD_ROLE?.trim() || 'console';
  if (role !== 'console' && role !== 'verify') throw new Error(`KEYWARD_ROLE must be "console" or "verify", got "${role}".`);
  return role;
}

export const VERIFY_NODE_NEEDS_POSTGRES =
  'KEYWARD_ROLE=verify needs PostgreSQL (DATABASE_URL): a verify node shares its database with the console nodes, and the embedded database opens in one process only.';

const NOT_HERE = jsonAnswer(
  404,
  JSON.stringify(errorBody('not_found', 'This is a verify node: it answers POST /api/v1/keys/verify and its health only. The console and the REST API are on the console nodes.')),
  'not_found',
);

/** Every request of a verify node that is not verify's: the two health checks the console nodes also answer, else 404. */
export function verifyNodeRequest(request: IncomingMessage, response: ServerResponse): void {
  const pathname = pathnameOf(request.url ?? '/');
  const read = request.method === 'GET' || request.method === 'HEAD';
  if (read && pathname === '/api/health/live') return writeAnswer(response, LIVE);
  if (read && pathname === '/api/health/ready') {
    void readiness().then((answer) => writeAnswer(response, answer));
    return;
  }
  writeAnswer(response, NOT_HERE);
}
