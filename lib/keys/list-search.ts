/**
 * Choosing how a search finds its matches: through the trigram index, through the index of names'
 * short pieces, or by walking the project's keys, and whether its words are looked up instead of
 * the whole search. The planner's estimate of its matches is read here too, as it decides whether
 * a search is counted at all.
 */
import { and, eq, ilike, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, projectKeyCounts } from '@/db/schema';

/** Up to this many matches (by the planner's estimate) a search is counted; past it, `total` is that estimate. */
export const EXACT_COUNT_LIMIT = 1_000;

/** `%` and `_` in a search are literal characters, not wildcards. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Whether pg_trgm can take a trigram from the search's LIKE pattern `%q%`. It reads words (runs
 * of letters and digits) and pads a word with two blanks before it and one after where a literal
 * character, not the pattern's `%`, bounds it; a word shorter than three characters with its
 * padding gives nothing. ("pr": no; "zz-": "zz " yes; "-a": "  a" yes; "%": no.)
 */
export function hasTrigram(q: string): boolean {
  for (const word of q.matchAll(/[\p{L}\p{N}]+/gu)) {
    const before = word.index > 0 ? 2 : 0;
    const after = word.index + word[0].length < q.length ? 1 : 0;
    if ([...word[0]].length + before + after >= 3) return true;
  }
  return false;
}

/**
 * How a search finds its matches. `trigram`: ILIKE through the trigram GIN index. A search without
 * a trigram (that index would return every row) is strpos over lower() — the same match, as ILIKE
 * lower-cases both sides the same way — and is either `rare`, found through the GIN index of
 * names' one- and two-character pieces (migration 0005), or `common`, found by walking the
 * project's keys, where matches come soon: those pieces' posting lists are long (building a
 * bitmap of "pr" at a million keys takes 15 ms, and "e" is in most names) and the function behind
 * that index costs microseconds a row, so it is only worth a filter where the index answers.
 */
export type Match = 'trigram' | 'rare' | 'common';

/** How common a piece must be, as a share of all names, before a search walks instead. */
const COMMON_PIECE = 0.1;
/** How long a process trusts the statistics it read: reading them takes about a millisecond. */
const STATISTICS_MAX_AGE_MS = 60_000;

const commonPieces = new WeakMap<Db, { readAt: number; shares: Map<string, number> }>();

/**
 * The most common pieces of names and their shares, from the planner's statistics for the
 * pieces' index (ANALYZE, autovacuum, PGlite's start): empty before the first ANALYZE.
 */
async function commonPieceShares(db: Db): Promise<Map<string, number>> {
  const cached = commonPieces.get(db);
  if (cached && Date.now() - cached.readAt < STATISTICS_MAX_AGE_MS) return cached.shares;
  const [row] = await db
    .select({ pieces: sql<string[]>`most_common_elems::text::text[]`, shares: sql<number[]>`most_common_elem_freqs::float8[]` })
    .from(sql`pg_stats`)
    .where(sql`schemaname = current_schema() and tablename = 'api_keys_name_grams_idx'`);
  const shares = new Map((row?.pieces ?? []).map((piece, i) => [piece, Number(row!.shares[i])]));
  commonPieces.set(db, { readAt: Date.now(), shares });
  return shares;
}

/** Makes the next search read the statistics again (tests, after an ANALYZE). */
export function forgetNameStatistics(db: Db): void {
  commonPieces.delete(db);
}

/**
 * Whether a search without a trigram is common: its rarest piece is in at least COMMON_PIECE of
 * the names — a piece missing from the most common ones is rarer than all of them. The pieces
 * are keyward_search_grams' (lower-cased here by JavaScript, which may differ from PostgreSQL's
 * lower() on a rare letter: that only changes which way is chosen). No statistics yet: rare, the
 * choice that is never slow.
 */
export async function searchMatch(db: Db, q: string): Promise<Match> {
  if (hasTrigram(q)) return 'trigram';
  const chars = [...q.toLowerCase()];
  const pieces = chars.length < 2 ? chars : chars.slice(1).map((char, i) => chars[i] + char);
  const shares = await commonPieceShares(db);
  return Math.min(...pieces.map((piece) => shares.get(piece) ?? 0)) >= COMMON_PIECE ? 'common' : 'rare';
}

/**
 * The search as a condition. `walking` a sort index, the substring test alone: it is all that is
 * worth evaluating per row, and it keeps the plan a walk: the planner, matching an ILIKE against
 * the name statistics, may prefer a bitmap of every match.
 */
export function nameMatches(q: string, match: Match, walking = false): SQL {
  const substring = sql`strpos(lower(${apiKeys.name}), lower(${q})) > 0`;
  if (walking) return substring;
  if (match === 'trigram') return ilike(apiKeys.name, likePattern(q));
  return match === 'rare' ? sql`(keyward_name_grams(${apiKeys.name}) @> keyward_search_grams(${q}) and ${substring})` : substring;
}

/**
 * How many keys may hold all of a search's words for the trigram index to look the words up
 * instead of the whole search, which is then checked on each of them: a few thousand rows are
 * cheaper than the posting lists of common trigrams, a quarter of the names ("key") is not.
 */
const WORD_CANDIDATES_MAX = 2_000;

/** The search as an exact path's condition: by its words, where the estimate says that is cheaper. */
export function lookedUp(q: string, match: Match, words: string[] | null, estimate: Estimate | null): SQL {
  const candidates = estimate?.candidates ?? null;
  if (match !== 'trigram' || !words || candidates === null || candidates > WORD_CANDIDATES_MAX) return nameMatches(q, match);
  return and(...words.map((word) => ilike(apiKeys.name, likePattern(word))), sql`strpos(lower(${apiKeys.name}), lower(${q})) > 0`)!;
}

/**
 * The words of a search that pg_trgm can look up on their own (three letters or digits or more),
 * when the search holds more than one such word or anything besides: null otherwise. Each word's
 * inner trigrams are a subset of the search's, without the padded ones of its short words and
 * word starts — "  s" and " s " of "mei's zapier" are in half of all names, and reading their
 * posting lists was most of that search's 5 ms at a million keys (1.7 ms without them).
 */
export function searchWords(q: string): string[] | null {
  const words = [...q.matchAll(/[\p{L}\p{N}]{3,}/gu)].map((word) => word[0]);
  return words.length && !(words.length === 1 && words[0] === q) ? words : null;
}

export type Estimate = { matches: number; keys: number; candidates: number | null };

/**
 * The planner's estimate of the project's keys whose names hold the search (migration 0008, its
 * EXPLAIN: a fraction of a millisecond, no scan), at most the project's key count — with that
 * count, and the estimate of the keys holding all the search's words (`candidates`). None is
 * asked for a project too small to pass EXACT_COUNT_LIMIT. The planner takes a project's names to
 * be like the whole table's: its share of the table, times the share of the table's names that
 * match, from statistics of 1,000 common names and 1,000 histogram buckets — within a few percent
 * for a name in 40 at a million keys.
 */
export async function estimateMatches(db: Db, projectId: string, q: string, words: string[] | null): Promise<Estimate> {
  const estimate = (patterns: string[]) =>
    sql`case when ${projectKeyCounts.keyCount} > ${EXACT_COUNT_LIMIT} then keyward_estimate_name_matches(${projectKeyCounts.projectId}, array[${sql.join(
      patterns.map((pattern) => sql`${pattern}`),
      sql`, `,
    )}]::text[]) end`;
  const [row] = await db
    .select({
      keys: projectKeyCounts.keyCount,
      matches: estimate([likePattern(q)]).mapWith(Number),
      candidates: words ? estimate(words.map(likePattern)).mapWith(Number) : sql<null>`null`,
    })
    .from(projectKeyCounts)
    .where(eq(projectKeyCounts.projectId, projectId));
  const keys = Number(row?.keys ?? 0);
  const candidates = row?.candidates;
  return { matches: Math.min(row?.matches ?? 0, keys), keys, candidates: candidates === null || candidates === undefined ? null : Math.min(candidates, keys) };
}
