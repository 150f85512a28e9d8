/**
 * The health checks every node answers, the same on a console node (app/api/health) and a
 * verify node (lib/api/verify-node.ts). Liveness touches no database, so an outage never
 * restarts the process; readiness is 503 while the database does not answer, and load balancers
 * stop routing there.
 */
import { sql } from 'drizzle-orm';
import { getDb } from '@/db/client';
import { jsonAnswer, type EndpointAnswer } from '@/lib/api/answer';
import { recordDatabaseError } from '@/lib/metrics/recorder';

/** Whether the database answers a trivial query within a deadline. Never throws. */
export async function pingDatabase(timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = getDb()
    .execute(sql`select 1`)
    .then(() => true as const)
    .catch((error: unknown) => {
      recordDatabaseError(error);
      return false as const;
    });
  try {
    return await Promise.race([ping, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const LIVE: EndpointAnswer = jsonAnswer(200, '{"status":"ok"}', 'ok');
const READY = jsonAnswer(200, '{"status":"ok","database":"ok"}', 'ok');
const NOT_READY = jsonAnswer(503, '{"status":"unavailable","database":"unreachable"}', 'unavailable');

export async function readiness(): Promise<EndpointAnswer> {
  return (await pingDatabase()) ? READY : NOT_READY;
}
