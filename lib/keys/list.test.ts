import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, ilike, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '@/db/schema';
import { seedKeys } from '@/lib/seed/keys';
import { DomainError } from '@/lib/errors';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject, setMembership } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { createUser } from '@/lib/users/users';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from './create';
import { listKeys, type KeyPage, type ListKeysRequest } from './list';
import { roughly, WALK_MIN } from './list-estimated-page';
import { SEARCH_COUNT_CAP } from './list-queries';
import { EXACT_COUNT_LIMIT, forgetNameStatistics, hasTrigram, likePattern, searchMatch, searchWords } from './list-search';
import { deleteKey } from './manage';
import { SORTS, type ListKeysQuery } from './schemas';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

type Seeded = { publicId: string; id: string; name: string; createdAt: number; lastUsedAt: number | null };

// 60 keys: mixed-case "alpha" names, repeated names (ties broken by id), names holding the
// LIKE metacharacters % and _ and a backslash, non-ASCII letters, and the rest plain.
const NAMES = [
  'Alpha service',
  'alpha-worker',
  'ALPHA batch',
  'Duplicate',
  'Duplicate',
  'Duplicate',
  '100% uptime monitor',
  'snake_case key',
  'back\\slash key',
  'percent free',
  'Ärger alert',
  'ärger-ölçer',
  ...Array.from({ length: 48 }, (_, i) => `Key ${String(i).padStart(2, '0')}`),
];
const BASE = Date.parse('2026-01-01T00:00:00Z');

const query = (overrides: Partial<ListKeysRequest> = {}): ListKeysRequest => ({ q: '', page: 1, pageSize: 10, sort: 'created', dir: 'desc', ...overrides });

/** Compares like PostgreSQL does for uuid and for these timestamps. */
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

describe('hasTrigram (whether pg_trgm can look a search up)', () => {
  it('needs a word of three characters, counting the blanks pg_trgm pads a bounded word with', () => {
    for (const q of ['abc', 'zz-', '-a', 'a-b', 'a b', 'key 0', 'Ärg', '100%']) expect(hasTrigram(q), q).toBe(true);
    for (const q of ['', 'a', 'pr', 'ÄR', '%', '_', '\\', '-', '%%', 'a%']) expect(hasTrigram(q), q).toBe(false);
  });
});

describe('searchWords (what the trigram index may look up instead of the whole search)', () => {
  it('takes words of three letters or digits, when the search holds more than one word', () => {
    expect(searchWords("mei's zapier")).toEqual(['mei', 'zapier']);
    expect(searchWords('key 0')).toEqual(['key']);
    expect(searchWords('Ärger-ölçer')).toEqual(['Ärger', 'ölçer']);
    for (const q of ['checkout', 'ab', 'a b', '100%'.slice(0, 2)]) expect(searchWords(q), q).toBeNull();
    expect(searchWords('100%')).toEqual(['100']);
  });
});

describe('roughly (how an estimated total is shown)', () => {
  it('keeps two significant digits', () => {
    expect([0, 7, 42, 999, 1_001, 1_493, 24_359, 24_821, 218_015, 899_626].map(roughly)).toEqual([0, 7, 42, 1_000, 1_000, 1_500, 24_000, 25_000, 220_000, 900_000]);
  });
});

describeEachDatabase('listKeys', (current) => {
  let admin: Actor;
  let adminOfOther: Actor;
  let otherOnly: Actor;
  let projectId = '';
  const keys: Seeded[] = [];

  /** Every page of a query, in order, checking the page metadata on the way. */
  async function allPages(q: ListKeysQuery): Promise<string[]> {
    const ids: string[] = [];
    let first: KeyPage | undefined;
    for (let page = 1; ; page++) {
      const result = await listKeys(current().db, admin, { ...q, page }, { catalogue: diga });
      first ??= result;
      expect(result).toMatchObject({ page, pageSize: q.pageSize, total: first.total, pageCount: first.pageCount, totalIsCapped: false, totalIsEstimate: false });
      expect(result.keys.length).toBeLessThanOrEqual(q.pageSize);
      ids.push(...result.keys.map((key) => key.id));
      if (page === result.pageCount) break;
    }
    expect(ids).toHaveLength(first.total);
    return ids;
  }

  beforeAll(async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'list' });
    projectId = project.id;
    const other = await createProject(db, { slug: 'list-other' });
    const user = await createUser(db, { email: 'admin@list.test' });
    const otherUser = await createUser(db, { email: 'admin@list-other.test' });
    await setMembership(db, project.id, user.id, 'admin');
    await setMembership(db, other.id, user.id, 'admin');
    await setMembership(db, other.id, otherUser.id, 'admin');
    admin = { type: 'user', userId: user.id, projectSlug: 'list' };
    adminOfOther = { type: 'user', userId: user.id, projectSlug: 'list-other' };
    otherOnly = { type: 'user', userId: otherUser.id, projectSlug: 'list' };

    for (const [i, name] of NAMES.entries()) {
      // Pairs of keys share a creation time, so the id decides between them.
      const createdAt = BASE + Math.floor(i / 2) * 60_000;
      const { key } = await createKey(db, admin, { name, permissions: i % 3 ? null : { calls: 'read' } }, { catalogue: diga, now: new Date(createdAt) });
      const [row] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.publicId, key.id));
      // Two in three keys have been used; groups of three share a time; the rest never were.
      const lastUsedAt = i % 3 === 2 ? null : BASE + 86_400_000 + Math.floor(i / 6) * 1000;
      if (lastUsedAt !== null) await db.update(apiKeys).set({ lastUsedAt: new Date(lastUsedAt) }).where(eq(apiKeys.id, row!.id));
      keys.push({ publicId: key.id, id: row!.id, name, createdAt, lastUsedAt });
    }
    // Another project's keys with the same names: they must never show.
    for (const name of ['Alpha service', 'Duplicate', '100% uptime monitor', 'snake_case key']) {
      await createKey(db, adminOfOther, { name }, { catalogue: diga });
    }
  }, 120_000);

  const byCreated = (dir: 1 | -1) => (a: Seeded, b: Seeded) => dir * (cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id));
  // Most recently used first, never used last; ascending is that order reversed exactly.
  const byLastUsedDesc = (a: Seeded, b: Seeded) => cmp(b.lastUsedAt ?? -Infinity, a.lastUsedAt ?? -Infinity) || cmp(b.id, a.id);
  const ids = (list: Seeded[]) => list.map((key) => key.publicId);

  it('pages through every key in created order, newest first by default, ties broken by id', async () => {
    expect(await allPages(query())).toEqual(ids([...keys].sort(byCreated(-1))));
    expect(await allPages(query({ dir: 'asc' }))).toEqual(ids([...keys].sort(byCreated(1))));
  });

  it('sorts by last used: never-used keys last when descending, first when ascending, ties broken by id', async () => {
    const desc = ids([...keys].sort(byLastUsedDesc));
    expect(await allPages(query({ sort: 'last_used', dir: 'desc' }))).toEqual(desc);
    expect(await allPages(query({ sort: 'last_used', dir: 'asc' }))).toEqual([...desc].reverse());
    const firstPage = await listKeys(current().db, admin, query({ sort: 'last_used', dir: 'asc' }), { catalogue: diga });
    expect(firstPage.keys.every((key) => key.lastUsedAt === null)).toBe(true);
  });

  it("sorts by name in the database's collation, ties broken by id", async () => {
    const { db } = current();
    const listed = await allPages(query({ sort: 'name', dir: 'asc' }));
    const byPublicId = new Map(keys.map((key) => [key.publicId, key]));
    const inProject = await db.select({ publicId: apiKeys.publicId }).from(apiKeys).where(eq(apiKeys.projectId, projectId)).orderBy(asc(apiKeys.name), asc(apiKeys.id));
    expect(listed).toEqual(inProject.map((row) => row.publicId));
    // Equal names come in id order.
    const duplicates = listed.map((id) => byPublicId.get(id)!).filter((key) => key.name === 'Duplicate');
    expect(duplicates.map((key) => key.id)).toEqual(duplicates.map((key) => key.id).sort());
    expect(await allPages(query({ sort: 'name', dir: 'desc' }))).toEqual([...listed].reverse());
  });

  it('gives the page count for every page size and clamps a page past the end to the last', async () => {
    const { db } = current();
    for (const [pageSize, pageCount] of [
      [10, 6],
      [25, 3],
      [50, 2],
      [100, 1],
    ] as const) {
      const last = await listKeys(db, admin, query({ pageSize, page: 99 }), { catalogue: diga });
      expect(last).toMatchObject({ total: 60, totalIsCapped: false, pageSize, pageCount, page: pageCount });
      expect(last.keys).toHaveLength(60 - (pageCount - 1) * pageSize);
      expect(last.keys.map((key) => key.id)).toEqual(ids([...keys].sort(byCreated(-1)).slice((pageCount - 1) * pageSize)));
    }
  });

  it('returns the key as JSON, with its permissions', async () => {
    const page = await listKeys(current().db, admin, query({ q: 'Alpha service' }), { catalogue: diga });
    expect(page.keys).toHaveLength(1);
    expect(page.keys[0]).toMatchObject({ name: 'Alpha service', restricted: true, webhook: false, previousSecretExpiresAt: null });
    expect(page.keys[0]!.permissions).toMatchObject({ calls: 'read', messages: 'none' });
    expect(Object.keys(page.keys[0]!)).not.toContain('hash');
  });

  describe('search', () => {
    const matching = (needle: string) =>
      ids(keys.filter((key) => key.name.toLowerCase().includes(needle.toLowerCase())).sort(byCreated(-1)));

    it('is a case-insensitive substring match', async () => {
      for (const q of ['alpha', 'ALPHA', 'lPh', 'Duplicate', 'key 0', 'KEY 4']) {
        const expected = matching(q);
        expect(expected.length).toBeGreaterThan(0);
        expect(await allPages(query({ q }))).toEqual(expected);
      }
      expect(await allPages(query({ q: 'key', pageSize: 25 }))).toEqual(matching('key'));
    });

    it('treats %, _ and \\ as literal characters', async () => {
      expect(await allPages(query({ q: '%' }))).toEqual(matching('%'));
      expect(matching('%')).toHaveLength(1);
      expect(await allPages(query({ q: '_' }))).toEqual(matching('_'));
      expect(matching('_')).toHaveLength(1);
      expect(await allPages(query({ q: '\\' }))).toEqual(matching('\\'));
      expect(await allPages(query({ q: '100%' }))).toEqual(matching('100%'));
    });

    it('sorts and pages its matches like the full list', async () => {
      const q = 'key';
      const inNameOrder = await allPages(query({ q, sort: 'name', dir: 'asc' }));
      expect(new Set(inNameOrder)).toEqual(new Set(matching(q)));
      expect(await allPages(query({ q, sort: 'name', dir: 'desc' }))).toEqual([...inNameOrder].reverse());
      const lastUsed = ids(keys.filter((key) => key.name.toLowerCase().includes(q)).sort(byLastUsedDesc));
      expect(await allPages(query({ q, sort: 'last_used', dir: 'desc' }))).toEqual(lastUsed);
      const clamped = await listKeys(current().db, admin, query({ q, page: 50 }), { catalogue: diga });
      expect(clamped).toMatchObject({ page: clamped.pageCount, total: matching(q).length });
    });

    it('matches exactly what ILIKE matches, short searches (no trigram to look up) included', async () => {
      const { db } = current();
      for (const q of ['al', 'AL', 'y 0', '-', 'L', '%', '_', '\\', 'ÄR', 'är', 'öl', 'Ärger', 'ölçer', 'ger-ö']) {
        const reference = await db
          .select({ publicId: apiKeys.publicId })
          .from(apiKeys)
          .where(and(eq(apiKeys.projectId, projectId), ilike(apiKeys.name, likePattern(q))))
          .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
        expect(reference.length, q).toBeGreaterThan(0);
        expect(await allPages(query({ q })), q).toEqual(reference.map((row) => row.publicId));
      }
      expect(await allPages(query({ q: 'aL' }))).toEqual(matching('al'));
    });

    it('sorts and pages a short search (found by a scan, not the trigram index) like any other', async () => {
      const { db } = current();
      for (const q of ['e', 'Y', 'Al']) {
        const filtered = keys.filter((key) => key.name.toLowerCase().includes(q.toLowerCase()));
        expect(filtered.length, q).toBeGreaterThan(1);
        for (const dir of ['asc', 'desc'] as const) {
          expect(await allPages(query({ q, dir })), q).toEqual(ids([...filtered].sort(byCreated(dir === 'asc' ? 1 : -1))));
          const byName = await db
            .select({ publicId: apiKeys.publicId })
            .from(apiKeys)
            .where(and(eq(apiKeys.projectId, projectId), ilike(apiKeys.name, likePattern(q))))
            .orderBy(dir === 'asc' ? asc(apiKeys.name) : desc(apiKeys.name), dir === 'asc' ? asc(apiKeys.id) : desc(apiKeys.id));
          expect(await allPages(query({ q, sort: 'name', dir, pageSize: 25 })), q).toEqual(byName.map((row) => row.publicId));
        }
        const lastUsed = ids([...filtered].sort(byLastUsedDesc));
        expect(await allPages(query({ q, sort: 'last_used', dir: 'desc' })), q).toEqual(lastUsed);
        expect(await allPages(query({ q, sort: 'last_used', dir: 'asc' })), q).toEqual([...lastUsed].reverse());
      }
    });

    it('finds nothing without failing: one empty page', async () => {
      const page = await listKeys(current().db, admin, query({ q: 'no such key', page: 3 }), { catalogue: diga });
      expect(page).toEqual({ keys: [], total: 0, totalIsCapped: false, totalIsEstimate: false, page: 1, pageSize: 10, pageCount: 1, previousCursor: null, nextCursor: null });
    });
  });

  describe('short searches (no trigram to look up)', () => {
    it('match exactly what ILIKE matches, whichever way the statistics say to find them', async () => {
      const { db } = current();
      const reference = async (q: string) =>
        (
          await db
            .select({ publicId: apiKeys.publicId })
            .from(apiKeys)
            .where(and(eq(apiKeys.projectId, projectId), ilike(apiKeys.name, likePattern(q))))
            .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        ).map((row) => row.publicId);
      const searches = ['e', 'E', 'y', 'al', 'AL', 'aL', 'xq', '%', '_', '0%', 'e_', '\\', '-', ' ', 'ä', 'Ä', 'ÖL', 'ç'];
      for (const analyzed of [false, true]) {
        // ANALYZE gives the pieces' index its statistics: common pieces are then walked to, rare ones looked up.
        if (analyzed) {
          await db.execute(sql`analyze api_keys`);
          forgetNameStatistics(db);
        }
        for (const q of searches) expect(await allPages(query({ q })), `"${q}"${analyzed ? ' analyzed' : ''}`).toEqual(await reference(q));
      }
      expect(await searchMatch(db, 'e')).toBe('common');
      expect(await searchMatch(db, 'E')).toBe('common');
      expect(await searchMatch(db, 'xq')).toBe('rare');
      expect(await searchMatch(db, '%')).toBe('rare');
      expect(await searchMatch(db, 'key')).toBe('trigram');
    });
  });

  describe('cursors ("Previous page" and "Next page")', () => {
    /** The pages of a query opened by their numbers: what a cursor must open too. */
    async function pagesByNumber(q: ListKeysQuery, as = admin): Promise<string[][]> {
      const pages: string[][] = [];
      for (let page = 1; ; page++) {
        const result = await listKeys(current().db, as, { ...q, page }, { catalogue: diga });
        pages.push(result.keys.map((key) => key.id));
        if (page >= result.pageCount) return pages;
      }
    }

    /** Follows "Next page" from page 1 to the last, then "Previous page" back to page 1. */
    async function pagesByCursor(q: ListKeysQuery, as = admin): Promise<{ forward: string[][]; backward: string[][] }> {
      const { db } = current();
      let page = await listKeys(db, as, { ...q, page: 1 }, { catalogue: diga });
      const forward = [page.keys.map((key) => key.id)];
      while (page.page < page.pageCount) {
        const next = await listKeys(db, as, { ...q, page: page.page + 1, cursor: page.nextCursor }, { catalogue: diga });
        expect(next).toMatchObject({ page: page.page + 1, total: page.total, pageCount: page.pageCount });
        page = next;
        forward.push(page.keys.map((key) => key.id));
      }
      expect(page.nextCursor).toBeNull();
      const backward = [page.keys.map((key) => key.id)];
      while (page.page > 1) {
        // Page 1 is opened by its number: it needs no cursor.
        expect(page.previousCursor === null, `page ${page.page}`).toBe(page.page <= 2);
        page = await listKeys(db, as, { ...q, page: page.page - 1, cursor: page.previousCursor }, { catalogue: diga });
        backward.unshift(page.keys.map((key) => key.id));
      }
      return { forward, backward };
    }

    it('open the pages their numbers open, in every sort and search, across ties in the sort key', async () => {
      // Seven a page puts keys that share a creation time, a last use or a name on both sides of a page's edge.
      for (const sort of SORTS) {
        for (const dir of ['asc', 'desc'] as const) {
          for (const q of ['', 'key', 'Al', 'e', '_']) {
            const request = query({ sort, dir, q, pageSize: 7 });
            const expected = await pagesByNumber(request);
            const { forward, backward } = await pagesByCursor(request);
            expect(forward, `${sort} ${dir} "${q}"`).toEqual(expected);
            expect(backward, `${sort} ${dir} "${q}" backwards`).toEqual(expected);
          }
        }
      }
    });

    it('ignore a cursor made for another sort, or one that does not parse, and open the page by its number', async () => {
      const { db } = current();
      const byNumber = await listKeys(db, admin, query({ page: 3 }), { catalogue: diga });
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const someId = keys[0]!.id;
      const cursors = [
        (await listKeys(db, admin, query({ sort: 'name', dir: 'asc', page: 2 }), { catalogue: diga })).nextCursor,
        (await listKeys(db, admin, query({ dir: 'asc', page: 2 }), { catalogue: diga })).nextCursor,
        'not a cursor',
        encode([]),
        encode({ sort: 'created' }),
        encode(['created', 'desc', 'sideways', '2026-01-01 00:00:00+00', someId]),
        encode(['created', 'desc', 'after', '2026-02-30 00:00:00+00', someId]),
        encode(['created', 'desc', 'after', '2026-01-01 24:00:00+00', someId]),
        encode(['created', 'desc', 'after', '-infinity', someId]),
        encode(['created', 'desc', 'after', 'tomorrow', someId]),
        encode(['created', 'desc', 'after', '2026-01-01 00:00:00+00', 'not-a-uuid']),
        encode(['created', 'desc', 'after', 42, someId]),
      ];
      for (const cursor of cursors) expect(await listKeys(db, admin, query({ page: 3, cursor }), { catalogue: diga }), String(cursor)).toEqual(byNumber);
      // On page 1 a cursor means nothing.
      const page2 = await listKeys(db, admin, query({ page: 2 }), { catalogue: diga });
      expect(await listKeys(db, admin, query({ page: 1, cursor: page2.nextCursor }), { catalogue: diga })).toEqual(await listKeys(db, admin, query(), { catalogue: diga }));
      // A name cursor may hold any name, quotes and all.
      const byName = query({ sort: 'name', dir: 'asc', q: 'e' });
      const named = encode(['name', 'asc', 'after', "it's %_\\ \"quoted\"", someId]);
      expect((await listKeys(db, admin, { ...byName, page: 2, cursor: named }, { catalogue: diga })).page).toBe(2);
    });

    it('open the right page after keys around them are deleted', async () => {
      const { db } = current();
      const project = await createProject(db, { slug: 'list-cursor' });
      const user = await createUser(db, { email: 'admin@list-cursor.test' });
      await setMembership(db, project.id, user.id, 'admin');
      const owner: Actor = { type: 'user', userId: user.id, projectSlug: 'list-cursor' };
      const newestFirst: string[] = [];
      for (let i = 0; i < 12; i++) {
        const { key } = await createKey(db, owner, { name: `cursor ${i}` }, { catalogue: diga, now: new Date(BASE + i * 1000) });
        newestFirst.unshift(key.id);
      }
      const q = query({ pageSize: 5 });
      const listed = (page: KeyPage) => page.keys.map((key) => key.id);

      // The cursor's own key and the one after it go: page 2 starts at the next key still there.
      const page1 = await listKeys(db, owner, q, { catalogue: diga });
      await deleteKey(db, owner, newestFirst[4]!, { catalogue: diga });
      await deleteKey(db, owner, newestFirst[5]!, { catalogue: diga });
      const page2 = await listKeys(db, owner, { ...q, page: 2, cursor: page1.nextCursor }, { catalogue: diga });
      expect(listed(page2)).toEqual(newestFirst.slice(6, 11));
      expect(page2).toMatchObject({ page: 2, total: 10, pageCount: 2, nextCursor: null });

      // "Previous page" from page 3 when fewer than a page of keys are left before it: page 1.
      const page3 = await listKeys(db, owner, { ...q, pageSize: 2, page: 3 }, { catalogue: diga });
      expect(listed(page3)).toEqual([newestFirst[6], newestFirst[7]]);
      await deleteKey(db, owner, newestFirst[0]!, { catalogue: diga });
      await deleteKey(db, owner, newestFirst[1]!, { catalogue: diga });
      await deleteKey(db, owner, newestFirst[2]!, { catalogue: diga });
      const back = await listKeys(db, owner, { ...q, pageSize: 2, page: 2, cursor: page3.previousCursor }, { catalogue: diga });
      expect(back).toMatchObject({ page: 1, previousCursor: null });
      expect(listed(back)).toEqual([newestFirst[3], newestFirst[6]]);

      // Every key after a cursor gone: the page by its number, clamped to the last.
      const fresh = await listKeys(db, owner, q, { catalogue: diga });
      expect(listed(fresh)).toEqual([newestFirst[3], ...newestFirst.slice(6, 10)]);
      for (const id of newestFirst.slice(10)) await deleteKey(db, owner, id, { catalogue: diga });
      const emptied = await listKeys(db, owner, { ...q, page: 2, cursor: fresh.nextCursor }, { catalogue: diga });
      expect(emptied).toMatchObject({ page: 1, pageCount: 1, total: 5, previousCursor: null, nextCursor: null });
      expect(listed(emptied)).toEqual([newestFirst[3], ...newestFirst.slice(6, 10)]);

      // Keys gone after a cursor and as many added before it: the page by its number.
      const byName = query({ sort: 'name', dir: 'asc', pageSize: 2 });
      const first = await listKeys(db, owner, byName, { catalogue: diga });
      expect(first.keys.map((key) => key.name)).toEqual(['cursor 2', 'cursor 3']);
      // newestFirst[k] is "cursor {11 - k}": these are "cursor 4", "cursor 5" and "cursor 8".
      for (const id of [newestFirst[7]!, newestFirst[6]!, newestFirst[3]!]) await deleteKey(db, owner, id, { catalogue: diga });
      for (const name of ['a 1', 'a 2', 'a 3']) await createKey(db, owner, { name }, { catalogue: diga });
      const second = await listKeys(db, owner, { ...byName, page: 2, cursor: first.nextCursor }, { catalogue: diga });
      expect(second).toMatchObject({ page: 2, pageCount: 3, total: 5 });
      expect(second.keys.map((key) => key.name)).toEqual(['a 3', 'cursor 2']);
    });
  });

  it("never shows another project's keys, and refuses a non-member", async () => {
    const mine = new Set(ids(keys));
    for (const q of ['', 'Alpha service', 'Duplicate', '%', '_']) {
      for (const listed of await allPages(query({ q }))) expect(mine.has(listed)).toBe(true);
    }
    const other = await listKeys(current().db, adminOfOther, query(), { catalogue: diga });
    expect(other.total).toBe(4);
    expect(other.keys.some((key) => mine.has(key.id))).toBe(false);
    const error = await listKeys(current().db, otherOnly, query(), { catalogue: diga }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('not_found');
  });

  it('estimates the total of a search expected to match more than EXACT_COUNT_LIMIT keys, and counts one expected to match fewer', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'list-estimate' });
    const user = await createUser(db, { email: 'admin@list-estimate.test' });
    await setMembership(db, project.id, user.id, 'admin');
    const owner: Actor = { type: 'user', userId: user.id, projectSlug: 'list-estimate' };
    // 500 "rare" names, far below the limit, and 3,500 "common" ones, far above it. This project
    // holds most of the table (it runs before the bulk test): the planner takes every project's
    // names to be like the whole table's.
    await seedKeys(db, { projectId: project.id, count: 4_000, catalogue: diga, name: (i) => (i % 8 ? `common ${i}` : `rare ${i}`) });
    await db.execute(sql`analyze api_keys`);
    // Only this test's ANALYZE: the statistics must not catch up with the renames below.
    await db.execute(sql`alter table api_keys set (autovacuum_enabled = off)`);
    forgetNameStatistics(db);

    const rare = await listKeys(db, owner, query({ q: 'RARE' }), { catalogue: diga });
    expect(rare).toMatchObject({ total: 500, totalIsEstimate: false, totalIsCapped: false, pageCount: 50 });
    // Few keys hold "rare": the trigram index looks that word up, and each is checked for the rest.
    for (const q of ['rare 8', 'RARE 1', 'are 40', "rare 8'"]) {
      const reference = await db
        .select({ publicId: apiKeys.publicId })
        .from(apiKeys)
        .where(and(eq(apiKeys.projectId, project.id), ilike(apiKeys.name, likePattern(q))))
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
      const listed = await listKeys(db, owner, query({ q, pageSize: 100 }), { catalogue: diga });
      expect(listed, q).toMatchObject({ total: reference.length, totalIsEstimate: false, totalIsCapped: false });
      expect(listed.keys.map((key) => key.id), q).toEqual(reference.slice(0, 100).map((row) => row.publicId));
    }

    const request = query({ q: 'common', pageSize: 100 });
    const first = await listKeys(db, owner, request, { catalogue: diga });
    expect(first).toMatchObject({ totalIsEstimate: true, totalIsCapped: false, page: 1, pageCount: Math.ceil(first.total / 100) });
    expect(first.total).toBe(roughly(first.total));
    expect(Math.abs(first.total - 3_500)).toBeLessThan(3_500 * 0.25);
    const newest = await db
      .select({ publicId: apiKeys.publicId })
      .from(apiKeys)
      .where(and(eq(apiKeys.projectId, project.id), ilike(apiKeys.name, 'common%')))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
    expect(first.keys.map((key) => key.id)).toEqual(newest.slice(0, 100).map((row) => row.publicId));

    // "Next page" to the last match, past the estimate's last page if it was low: that page counts.
    let page = first;
    const byCursor = [first];
    while (page.nextCursor) {
      const next = await listKeys(db, owner, { ...request, page: page.page + 1, cursor: page.nextCursor }, { catalogue: diga });
      expect(next.page).toBe(page.page + 1);
      if (next.totalIsEstimate) expect(next.pageCount).toBe(Math.max(first.pageCount, next.page + 1));
      byCursor.push(next);
      page = next;
    }
    expect(byCursor.flatMap((found) => found.keys.map((key) => key.id))).toEqual(newest.map((row) => row.publicId));
    expect(page).toMatchObject({ total: 3_500, totalIsEstimate: false, page: 35, pageCount: 35, nextCursor: null });
    // By its number, a page within the estimate opens what its cursor opened (one past it, the
    // estimate's last page: only "Next page" goes further).
    for (const n of [2, 17, 30]) expect(await listKeys(db, owner, { ...request, page: n }, { catalogue: diga }), `page ${n}`).toEqual(byCursor[n - 1]);
    expect((await listKeys(db, owner, { ...request, page: 1000 }, { catalogue: diga })).page).toBe(Math.min(first.pageCount, 35));

    // The estimate outlives most of its matches (statistics from before the renames): a page
    // past the last match counts the search instead, and the last page counts what it walked.
    await db.execute(sql`update api_keys set name = 'renamed' where project_id = ${project.id} and name like 'common%' and created_at < (
      select min(created_at) from (select created_at from api_keys where project_id = ${project.id} and name like 'common%' order by created_at desc limit 42) kept)`);
    const stale = await listKeys(db, owner, query({ q: 'common' }), { catalogue: diga });
    expect(stale.totalIsEstimate).toBe(true);
    expect(stale.total).toBeGreaterThan(EXACT_COUNT_LIMIT);
    const past = await listKeys(db, owner, query({ q: 'common', page: 20 }), { catalogue: diga });
    expect(past).toMatchObject({ total: 42, totalIsEstimate: false, page: 5, pageCount: 5, nextCursor: null });
    expect(past.keys.map((key) => key.id)).toEqual(newest.slice(40, 42).map((row) => row.publicId));
    expect(await listKeys(db, owner, query({ q: 'common', page: 5 }), { catalogue: diga })).toEqual(past);
    // The REST API's count is never an estimate.
    expect(await listKeys(db, owner, query({ q: 'rare', exactTotal: true }), { catalogue: diga })).toEqual(rare);
    await db.execute(sql`alter table api_keys reset (autovacuum_enabled)`);
  }, 120_000);

  it('caps a counted search past SEARCH_COUNT_CAP matches and says so', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'list-bulk' });
    const user = await createUser(db, { email: 'admin@list-bulk.test' });
    await setMembership(db, project.id, user.id, 'admin');
    const bulkAdmin: Actor = { type: 'user', userId: user.id, projectSlug: 'list-bulk' };
    await seedKeys(db, { projectId: project.id, count: SEARCH_COUNT_CAP + 1, catalogue: diga, name: (i) => `bulk ${i}` });

    const all = await listKeys(db, bulkAdmin, query(), { catalogue: diga });
    expect(all).toMatchObject({ total: SEARCH_COUNT_CAP + 1, totalIsCapped: false, pageCount: Math.ceil((SEARCH_COUNT_CAP + 1) / 10) });

    // Counted, as the REST API asks (exactTotal).
    const capped = await listKeys(db, bulkAdmin, query({ q: 'BULK', page: 5000, exactTotal: true }), { catalogue: diga });
    expect(capped).toMatchObject({ total: SEARCH_COUNT_CAP, totalIsCapped: true, pageCount: SEARCH_COUNT_CAP / 10, page: SEARCH_COUNT_CAP / 10 });
    expect(capped.keys).toHaveLength(10);

    // Paged by cursor, a capped or estimated search opens what its page numbers open: found
    // through the trigram index, walked to (a common piece) or looked up (a rare one).
    await db.execute(sql`analyze api_keys`);
    forgetNameStatistics(db);
    expect(await listKeys(db, bulkAdmin, query({ q: 'BULK', page: 5000, exactTotal: true }), { catalogue: diga })).toEqual(capped);
    const estimated = await listKeys(db, bulkAdmin, query({ q: 'BULK' }), { catalogue: diga });
    expect(estimated).toMatchObject({ totalIsEstimate: true, totalIsCapped: false });
    expect(await searchMatch(db, 'b')).toBe('common');
    expect(await searchMatch(db, '99')).toBe('rare');
    for (const q of ['BULK', 'b', '99']) {
      for (const sort of SORTS) {
        for (const exactTotal of [false, true]) {
          const request: ListKeysRequest = query({ q, sort, dir: sort === 'name' ? 'asc' : 'desc', pageSize: 25, exactTotal });
          let page = await listKeys(db, bulkAdmin, request, { catalogue: diga });
          for (let n = 2; n <= 4; n++) {
            const byNumber = await listKeys(db, bulkAdmin, { ...request, page: n }, { catalogue: diga });
            page = await listKeys(db, bulkAdmin, { ...request, page: n, cursor: page.nextCursor }, { catalogue: diga });
            expect(page, `${q} ${sort} page ${n}`).toEqual(byNumber);
          }
          const back = await listKeys(db, bulkAdmin, { ...request, page: 3, cursor: page.previousCursor }, { catalogue: diga });
          expect(back, `${q} ${sort} back to page 3`).toEqual(await listKeys(db, bulkAdmin, { ...request, page: 3 }, { catalogue: diga }));
        }
      }
    }

    // "bulk 1000" and "bulk 10000", each in its own right.
    const few = await listKeys(db, bulkAdmin, query({ q: 'bulk 1000', sort: 'name', dir: 'asc' }), { catalogue: diga });
    expect(few).toMatchObject({ total: 2, totalIsCapped: false, pageCount: 1 });
    expect(few.keys.map((key) => key.name)).toEqual(['bulk 1000', 'bulk 10000']);

    // Statistics from before nearly every match was renamed: the estimate is far too high, and
    // the walk from the newest key gives up after WALK_MIN keys and counts instead.
    expect(WALK_MIN).toBeLessThan(SEARCH_COUNT_CAP + 1);
    await db.execute(sql`alter table api_keys set (autovacuum_enabled = off)`);
    await db.execute(sql`update api_keys set name = 'renamed' where project_id = ${project.id} and name not in ('bulk 0', 'bulk 1', 'bulk 2', 'bulk 3', 'bulk 4')`);
    const gaveUp = await listKeys(db, bulkAdmin, query({ q: 'bulk', sort: 'name', dir: 'asc' }), { catalogue: diga });
    expect(gaveUp).toMatchObject({ total: 5, totalIsEstimate: false, totalIsCapped: false, pageCount: 1 });
    expect(gaveUp.keys.map((key) => key.name)).toEqual(['bulk 0', 'bulk 1', 'bulk 2', 'bulk 3', 'bulk 4']);
    await db.execute(sql`alter table api_keys reset (autovacuum_enabled)`);
  }, 120_000);
});
