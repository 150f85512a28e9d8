import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { memberships, projects, users } from '@/db/schema';
import { verifyPassword } from '@/lib/auth/password';
import { describeEachDatabase } from '@/lib/testing/databases';
import { findUserByEmail } from '@/lib/users/users';
import { bootstrapFirstAdmin, DEFAULT_ADMIN_EMAIL } from './bootstrap';

describeEachDatabase('migrations and first start', (current) => {
  it('applies every migration to an empty database', async () => {
    const { db } = current();
    const rows = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const count = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows)[0] as { n: number };
    expect(count.n).toBeGreaterThan(0);
  });

  it('creates the first administrator and a default project once, with a generated password', async () => {
    const { db } = current();
    const first = await bootstrapFirstAdmin(db, {});
    expect(first).toMatchObject({ created: true, email: DEFAULT_ADMIN_EMAIL, projectSlug: 'default' });
    if (!first.created) throw new Error('unreachable');
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const admin = await findUserByEmail(db, DEFAULT_ADMIN_EMAIL);
    expect(await verifyPassword(admin?.passwordHash, first.generatedPassword!)).toBe(true);
    const [membership] = await db.select().from(memberships);
    expect(membership?.role).toBe('admin');

    expect(await bootstrapFirstAdmin(db, { email: 'other@example.com', password: 'another-password' })).toEqual({ created: false });
    expect(await db.select().from(users)).toHaveLength(1);
    expect(await db.select().from(projects)).toHaveLength(1);
  });
});

describe.each(['pglite'] as const)('bootstrap from the environment [%s]', () => {
  describeEachDatabase('with KEYWARD_ADMIN_EMAIL and KEYWARD_ADMIN_PASSWORD', (current) => {
    it('uses the given email and password and generates nothing', async () => {
      const { db } = current();
      const result = await bootstrapFirstAdmin(db, { email: 'Ops@Example.com', password: 'correct horse battery' });
      expect(result).toEqual({ created: true, email: 'ops@example.com', projectSlug: 'default', generatedPassword: undefined });
      const admin = await findUserByEmail(db, 'ops@example.com');
      expect(await verifyPassword(admin?.passwordHash, 'correct horse battery')).toBe(true);
    });
  });
});
