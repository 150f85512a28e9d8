/**
 * A database's content in a form that can be kept and compared: for every table, its columns and a
 * digest of each row (of its text form), sorted; and the audit log's events, as digests in their
 * order. Recorded beside an upgrade fixture when it is made; after a later version migrates the
 * fixture, every recorded row must still be there, unchanged at the fixture's columns, and the audit
 * log in its order. A migration may add rows (0014 adds the coarser grains of usage counts): those
 * are reported, not refused. Text forms are fixed (UTC, ISO dates) so each driver agrees with itself.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows, type Db, type Tx } from '@/db/client';

export type TableFingerprint = { columns: string[]; rows: number; digests: string[] };

export type Fingerprint = {
  tables: Record<string, TableFingerprint>;
  /** The audit log in the console's order (created_at, then id): the same events in the same order. */
  audit: { events: number; digests: string[] };
};

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** 80 bits of a row's SHA-256: enough to tell rows apart, short enough to keep thousands in a manifest. */
const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 20);

/** Every table of the public schema with its columns, in their order. */
export async function tableColumns(db: Db): Promise<Record<string, string[]>> {
  const rows = await queryRows<{ table_name: string; column_name: string }>(
    db,
    sql`select c.table_name, c.column_name from information_schema.columns c
          join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
         where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
         order by c.table_name, c.ordinal_position`,
  );
  const tables: Record<string, string[]> = {};
  for (const row of rows) (tables[row.table_name] ??= []).push(row.column_name);
  return tables;
}

/** Each row of `table` (only `columns`) in PostgreSQL's text form of a row, in `order` or unordered. */
async function rowTexts(tx: Tx, table: string, columns: string[], order?: string): Promise<string[]> {
  const list = columns.map(quote).join(', ');
  const rows = await queryRows<{ r: string }>(
    tx,
    sql.raw(`select row(${list})::text as r from public.${quote(table)}${order ? ` order by ${order}` : ''}`),
  );
  return rows.map((row) => row.r);
}

/** The fingerprint of `tables` (by default every table now there, with all of its columns). */
export async function fingerprint(db: Db, tables?: Record<string, string[]>): Promise<Fingerprint> {
  const chosen = tables ?? (await tableColumns(db));
  return db.transaction(async (tx) => {
    // Every value's text form the same whatever the session's settings.
    await tx.execute(sql`set local timezone = 'UTC'`);
    await tx.execute(sql`set local datestyle = 'ISO, YMD'`);
    await tx.execute(sql`set local intervalstyle = 'postgres'`);
    await tx.execute(sql`set local extra_float_digits = 1`);
    await tx.execute(sql`set local bytea_output = 'hex'`);
    const result: Fingerprint['tables'] = {};
    for (const [table, columns] of Object.entries(chosen).sort(([a], [b]) => (a < b ? -1 : 1))) {
      // Sorted here, not by the database: collations differ between servers.
      const digests = (await rowTexts(tx, table, columns)).map(digest).sort();
      result[table] = { columns, rows: digests.length, digests };
    }
    const auditColumns = chosen.audit_events ?? [];
    const events = auditColumns.length ? (await rowTexts(tx, 'audit_events', auditColumns, 'created_at, id')).map(digest) : [];
    return { tables: result, audit: { events: events.length, digests: events } };
  });
}

/** The digests of `recorded` that `found` lacks, counted as a multiset (identical rows may repeat). */
function missing(recorded: string[], found: string[]): number {
  const left = new Map<string, number>();
  for (const d of found) left.set(d, (left.get(d) ?? 0) + 1);
  let lacking = 0;
  for (const d of recorded) {
    const n = left.get(d) ?? 0;
    if (n === 0) lacking++;
    else left.set(d, n - 1);
  }
  return lacking;
}

export type FingerprintComparison = {
  /** Recorded rows no longer there as they were, and an audit log that lost an event or its order: refusals. */
  lost: string[];
  /** Rows that were not recorded (a migration may add some): reported. */
  added: string[];
};

/** How the database found now stands against a recorded fingerprint, one line per table that differs. */
export function compareFingerprints(recorded: Fingerprint, found: Fingerprint): FingerprintComparison {
  const lost: string[] = [];
  const added: string[] = [];
  for (const [table, expected] of Object.entries(recorded.tables)) {
    const actual = found.tables[table];
    if (!actual) {
      lost.push(`${table}: the table is gone`);
      continue;
    }
    const lacking = missing(expected.digests, actual.digests);
    if (lacking) lost.push(`${table}: ${lacking} of the ${expected.rows} recorded rows are gone or changed`);
    const extra = actual.rows - (expected.rows - lacking);
    if (extra) added.push(`${table}: ${extra} rows that were not recorded`);
  }
  const events = new Set(recorded.audit.digests);
  const kept = found.audit.digests.filter((d) => events.has(d));
  const lacking = missing(recorded.audit.digests, found.audit.digests);
  if (lacking) lost.push(`audit log: ${lacking} of the ${recorded.audit.events} recorded events are gone or changed`);
  else if (kept.join() !== recorded.audit.digests.join()) lost.push('audit log: the recorded events are in another order');
  if (found.audit.events > kept.length) added.push(`audit log: ${found.audit.events - kept.length} events that were not recorded`);
  return { lost, added };
}
