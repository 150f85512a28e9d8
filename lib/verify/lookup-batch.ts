/**
 * The uncached verify path's lookups, coalesced: every lookup asked for while the event loop
 * handles one round of I/O waits for the next turn (setImmediate) and goes to the database in
 * one prepared statement, `hash = any(…)`, then each caller gets its own row. Under load that is
 * one round trip, one parse of one result and one promise chain for dozens of verifications
 * instead of one each; alone, a lookup waits for nothing but the end of its own turn. Every
 * lookup still reads the database as it is when the statement runs: nothing is kept afterwards.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets } from '@/db/schema';
import { verifiedKeyColumns, type VerifiedKey } from './verify';

/** Hashes in one statement at most: a bigger round goes out as several. */
export const MAX_BATCH = 256;

type Waiting = { resolve: (found: VerifiedKey | null) => void; reject: (error: unknown) => void };

function batchQuery(db: Db) {
  return (
    db
      .select({ hash: apiKeySecrets.hash, ...verifiedKeyColumns })
      .from(apiKeySecrets)
      .innerJoin(apiKeys, eq(apiKeys.id, apiKeySecrets.apiKeyId))
      // Hex hashes joined by commas: one text parameter, the same on postgres.js and PGlite.
      .where(sql`${apiKeySecrets.hash} = any(string_to_array(${sql.placeholder('hashes')}, ','))`)
      .prepare('keyward_verify_lookup_batch')
  );
}

export class LookupBatch {
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;
  private readonly statements = new WeakMap<Db, ReturnType<typeof batchQuery>>();

  /** `onStatement` hears each statement's number of hashes (tests; metrics). */
  constructor(
    private readonly getDb: () => Db,
    private readonly onStatement?: (hashes: number) => void,
  ) {}

  /** The key holding the secret with this SHA-256 (hex), or null. */
  find(hash: string): Promise<VerifiedKey | null> {
    return new Promise((resolve, reject) => {
      const waiting = this.waiting.get(hash);
      if (waiting) waiting.push({ resolve, reject });
      else this.waiting.set(hash, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const round = this.waiting;
    this.waiting = new Map();
    const hashes = [...round.keys()];
    for (let start = 0; start < hashes.length; start += MAX_BATCH) {
      void this.run(hashes.slice(start, start + MAX_BATCH), round);
    }
  }

  private async run(hashes: string[], round: Map<string, Waiting[]>): Promise<void> {
    try {
      const db = this.getDb();
      let statement = this.statements.get(db);
      if (!statement) this.statements.set(db, (statement = batchQuery(db)));
      this.onStatement?.(hashes.length);
      const rows = await statement.execute({ hashes: hashes.join(',') });
      const found = new Map(rows.map(({ hash, ...key }) => [hash, key]));
      for (const hash of hashes) for (const { resolve } of round.get(hash)!) resolve(found.get(hash) ?? null);
    } catch (error) {
      for (const hash of hashes) for (const { reject } of round.get(hash)!) reject(error);
    }
  }
}
