/**
 * The order a page of keys is read in, and the cursors that seek into it: a cursor is the sort key
 * and id of the row a page comes after (or before), so a page reached by paging is one index seek.
 */
import { asc, desc, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { apiKeys } from '@/db/schema';
import type { ListKeysQuery } from './schemas';

/**
 * The sort's key, exactly as its index holds it: with id after it, one total order that a row
 * comparison can seek into. Never-used keys count as the least recently used.
 */
export function sortKey(sort: ListKeysQuery['sort']): AnyColumn | SQL {
  switch (sort) {
    case 'name':
      return apiKeys.name;
    case 'created':
      return apiKeys.createdAt;
    case 'last_used':
      return sql`coalesce(${apiKeys.lastUsedAt}, '-infinity'::timestamptz)`;
  }
}

/** A row's place in the order: its sort key and id, from the table or from a subquery of matches. */
export type Place = { key: AnyColumn | SQL | SQL.Aliased; id: AnyColumn };

export const tablePlace = (query: ListKeysQuery): Place => ({ key: sortKey(query.sort), id: apiKeys.id });

/** The page's order; `backwards` reads it from the other end (a page before a cursor). */
export function orderBy(query: ListKeysQuery, place: Place = tablePlace(query), backwards = false): SQL[] {
  const dir = (query.dir === 'asc') !== backwards ? asc : desc;
  return [dir(place.key), dir(place.id)];
}

export type Cursor = { before: boolean; key: string; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A timestamptz as PostgreSQL prints it (DateStyle ISO, the default).
const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?[+-](\d\d)(?::[0-5]\d){0,2}$/;

/** A time PostgreSQL reads back exactly, so a doctored cursor cannot make the query fail. */
function isTimestamp(text: string, sort: ListKeysQuery['sort']): boolean {
  if (text === '-infinity') return sort === 'last_used';
  const [, year, month, day, hour, minute, second, offset] = (TIMESTAMP.exec(text) ?? []).map(Number);
  if (year === undefined || year < 1000) return false;
  const date = new Date(Date.UTC(year, month! - 1, day, hour, minute, second));
  return date.getUTCMonth() === month! - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && minute! < 60 && second! < 60 && offset! < 16;
}

/** A cursor names its sort, so one carried into another sort or direction is ignored. */
export function encodeCursor(query: ListKeysQuery, before: boolean, key: string, id: string): string {
  return Buffer.from(JSON.stringify([query.sort, query.dir, before ? 'before' : 'after', key, id])).toString('base64url');
}

/** The cursor, or null for anything this query cannot seek with: the page is then an OFFSET. */
export function decodeCursor(query: ListKeysQuery, raw: string | null | undefined): Cursor | null {
  if (!raw || raw.length > 1024) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return null;
  const [sort, dir, side, key, id] = parsed as unknown[];
  if (sort !== query.sort || dir !== query.dir || (side !== 'before' && side !== 'after')) return null;
  if (typeof key !== 'string' || key.includes('\u0000') || typeof id !== 'string' || !UUID.test(id)) return null;
  if (query.sort !== 'name' && !isTimestamp(key, query.sort)) return null;
  return { before: side === 'before', key, id };
}

/** The rows strictly after (or before) the cursor's row in the page's order: a range of the sort's index. */
export function seek(query: ListKeysQuery, cursor: Cursor, place: Place = tablePlace(query)): SQL {
  const greater = (query.dir === 'asc') !== cursor.before;
  const key = query.sort === 'name' ? sql`${cursor.key}::text` : sql`${cursor.key}::timestamptz`;
  return sql`(${place.key}, ${place.id}) ${sql.raw(greater ? '>' : '<')} (${key}, ${cursor.id}::uuid)`;
}
