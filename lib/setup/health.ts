/** Whether the database answers a trivial query within a deadline. Never throws. */
import { sql } from 'drizzle-orm';
import { getDb } from '@/db/client';
import { recordDatabaseError } from '@/lib/metrics/recorder';

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
