import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as keysRoute from '@/app/api/v1/keys/route';
import { queryRows } from '@/db/client';
import { keyPageSchema } from '@/lib/api/schemas';
import type { Actor } from '@/lib/auth/authorize';
import { setActiveCatalogue } from '@/lib/permissions/load';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { seedKeys } from '@/lib/seed/keys';
import { describeEachDatabase } from '@/lib/testing/databases';
import { createKey } from './create';
import { countExpiringKeys, expiringCountQuery } from './expiring';
import { listKeys, type ListKeysRequest } from './list';
import { listKeysQuery } from './schemas';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const query = (overrides: Partial<ListKeysRequest> = {}): ListKeysRequest => ({ q: '', page: 1, pageSize: 10, sort: 'created', dir: 'desc', ...overrides });

it('reads ?expiring=7d in the console as a number of days, and ignores what is not one', () => {
  expect(listKeysQuery.parse({ expiring: '7d' }).expiring).toBe(7);
  expect(listKeysQuery.parse({ expiring: '30d', q: 'x' })).toMatchObject({ expiring: 30, q: 'x' });
  for (const bad of ['7', 'd', '0d', '-1d', '7days', '99999d', ' 7d']) expect(listKeysQuery.parse({ expiring: bad }).expiring, bad).toBeUndefined();
  expect(listKeysQuery.parse({}).expiring).toBeUndefined();
});

describeEachDatabase('keys about to expire', (current) => {
  const soon: Actor = { type: 'system', projectSlug: 'soon', label: 'test' };
  const elsewhere: Actor = { type: 'system', projectSlug: 'soon-elsewhere', label: 'test' };
  const now = new Date('2032-06-01T12:00:00Z');
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    setActiveCatalogue(diga);
    const { db } = current();
    await createProject(db, { slug: 'soon' });
    await createProject(db, { slug: 'soon-elsewhere' });
    const made = new Date(now.getTime() - DAY);
    const expiries: Record<string, number | null> = {
      'alpha soon': 2 * DAY,
      'beta soon': 5 * DAY,
      'alpha edge': 7 * DAY,
      'gamma later': 7 * DAY + 60_000,
      'delta never': null,
      'omega gone': -HOUR,
      'zeta soon': 3 * DAY,
    };
    for (const [name, inMs] of Object.entries(expiries)) {
      const expiresAt = inMs === null ? null : new Date(now.getTime() + inMs).toISOString();
      ids[name] = (await createKey(db, soon, { name, expiresAt }, { catalogue: diga, now: made })).key.id;
    }
    await createKey(db, elsewhere, { name: 'alpha elsewhere', expiresAt: new Date(now.getTime() + DAY).toISOString() }, { catalogue: diga, now: made });
  });
  afterAll(() => setActiveCatalogue(undefined));

  const names = (page: { keys: { id: string }[] }) => page.keys.map((key) => Object.keys(ids).find((name) => ids[name] === key.id));

  it('lists only the keys that expire within the days asked and have not expired, paged and counted right', async () => {
    const { db } = current();
    const all = await listKeys(db, soon, query({ expiring: 7, sort: 'name', dir: 'asc' }), { catalogue: diga, now });
    expect(names(all)).toEqual(['alpha edge', 'alpha soon', 'beta soon', 'zeta soon']);
    expect(all).toMatchObject({ total: 4, pageCount: 1, totalIsCapped: false, totalIsEstimate: false });

    const first = await listKeys(db, soon, query({ expiring: 7, sort: 'name', dir: 'asc', pageSize: 3 }), { catalogue: diga, now });
    expect(names(first)).toEqual(['alpha edge', 'alpha soon', 'beta soon']);
    expect(first).toMatchObject({ total: 4, page: 1, pageCount: 2 });
    const byCursor = await listKeys(db, soon, { ...query({ expiring: 7, sort: 'name', dir: 'asc', pageSize: 3, page: 2 }), cursor: first.nextCursor }, { catalogue: diga, now });
    const byNumber = await listKeys(db, soon, query({ expiring: 7, sort: 'name', dir: 'asc', pageSize: 3, page: 2 }), { catalogue: diga, now });
    expect(names(byCursor)).toEqual(['zeta soon']);
    expect(names(byNumber)).toEqual(['zeta soon']);
    expect(byNumber).toMatchObject({ page: 2, pageCount: 2, total: 4 });

    // Combined with a search; a wider window; a day later, when some have expired.
    expect(names(await listKeys(db, soon, query({ expiring: 7, q: 'ALPHA', sort: 'name', dir: 'asc' }), { catalogue: diga, now }))).toEqual(['alpha edge', 'alpha soon']);
    expect((await listKeys(db, soon, query({ expiring: 7, q: 'nothing like it' }), { catalogue: diga, now })).total).toBe(0);
    expect((await listKeys(db, soon, query({ expiring: 8 }), { catalogue: diga, now })).total).toBe(5);
    const dayLater = await listKeys(db, soon, query({ expiring: 1, sort: 'name', dir: 'asc' }), { catalogue: diga, now: new Date(now.getTime() + 2 * DAY + HOUR) });
    expect(names(dayLater)).toEqual(['zeta soon']);
    // Without the filter, every key is there.
    expect((await listKeys(db, soon, query(), { catalogue: diga, now })).total).toBe(7);
  });

  it('counts them for the banner, in the actor’s project only', async () => {
    const { db } = current();
    expect(await countExpiringKeys(db, soon, 7, { catalogue: diga, now })).toBe(4);
    expect(await countExpiringKeys(db, soon, 2, { catalogue: diga, now })).toBe(1);
    expect(await countExpiringKeys(db, elsewhere, 7, { catalogue: diga, now })).toBe(1);
    expect(await countExpiringKeys(db, soon, 7, { catalogue: diga, now: new Date(now.getTime() + 30 * DAY) })).toBe(0);
  });

  it('answers GET /api/v1/keys?expiring=7d, with a search too, and refuses a malformed value naming the field', async () => {
    const { db } = current();
    const rest: Actor = { type: 'system', projectSlug: 'soon-rest', label: 'test' };
    await createProject(db, { slug: 'soon-rest' });
    const root = await createKey(db, rest, { name: 'root' }, { catalogue: diga });
    const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
    const expiring = await createKey(db, rest, { name: 'Reporting', expiresAt: inDays(3) }, { catalogue: diga });
    await createKey(db, rest, { name: 'Reporting later', expiresAt: inDays(30) }, { catalogue: diga });
    await createKey(db, rest, { name: 'Billing', expiresAt: inDays(6) }, { catalogue: diga });
    const get = async (search: string) => {
      const response = await keysRoute.GET(new Request(`http://keyward.test/api/v1/keys${search}`, { headers: { authorization: `Bearer ${root.secret}` } }), {
        params: Promise.resolve({}),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const listed = await get('?expiring=7d&q=report');
    expect(listed.status).toBe(200);
    const page = keyPageSchema(diga).parse(listed.json);
    expect(page.data.map((key) => key.id)).toEqual([expiring.key.id]);
    expect(page).toMatchObject({ total: 1, pageCount: 1 });
    expect(keyPageSchema(diga).parse((await get('?expiring=7d')).json).total).toBe(2);
    for (const bad of ['soon', '0d', '7']) {
      const refused = await get(`?expiring=${bad}`);
      expect(refused.status, bad).toBe(400);
      expect((refused.json.error as { fields: Record<string, string[]> }).fields.expiring?.[0], bad).toMatch(/expiring must be/);
    }
  });

  it('counts from the expiring keys’ index, not a walk of the project', async () => {
    const { db } = current();
    const bulk = await createProject(db, { slug: 'soon-bulk' });
    await seedKeys(db, { projectId: bulk.id, count: 5_000, catalogue: diga });
    await db.execute(sql`analyze api_keys`);
    const plan = await queryRows<Record<string, unknown>>(db, sql`explain ${expiringCountQuery(db, bulk.id, 7, new Date())}`);
    const text = plan.map((row) => Object.values(row).join(' ')).join('\n');
    expect(text).toContain('api_keys_expiring_idx');
    expect(text).not.toMatch(/Seq Scan/);
  });
});
