import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { memberships, projects, users } from '@/db/schema';
import { verifyPassword } from '@/lib/auth/password';
import { describeEachDatabase } from '@/lib/testing/databases';
import { findUserByEmail } from '@/lib/users/users';
import { announceFirstAdmin, bootstrapFirstAdmin, DEFAULT_ADMIN_EMAIL, GENERATED_PASSWORD_FILE } from './bootstrap';

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

describe('handing the generated password to the operator', () => {
  const created = { created: true, email: DEFAULT_ADMIN_EMAIL, projectSlug: 'default', generatedPassword: 'Gx7-generated-password-24' } as const;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keyward-bootstrap-'));
    dirs.push(dir);
    return path.join(dir, 'data');
  };
  const announce = (result: Parameters<typeof announceFirstAdmin>[0], where: { tty: boolean; dataDir: string }) => {
    const lines: string[] = [];
    announceFirstAdmin(result, (line) => lines.push(line), where);
    return lines.join('\n');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('prints it on a terminal, and writes no file', () => {
    const dir = dataDir();
    const output = announce(created, { tty: true, dataDir: dir });
    expect(output).toContain(`shown only now: ${created.generatedPassword}`);
    expect(existsSync(path.join(dir, GENERATED_PASSWORD_FILE))).toBe(false);
  });

  it('without a terminal, writes it to a 0600 file in the data dir and prints only the path', () => {
    const dir = dataDir();
    const output = announce(created, { tty: false, dataDir: dir });
    const file = path.join(dir, GENERATED_PASSWORD_FILE);
    expect(output).not.toContain(created.generatedPassword);
    expect(output).toContain(`its generated password is in ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(`${created.generatedPassword}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replaces a readable file left by an earlier start with a 0600 one', () => {
    const dir = dataDir();
    announce(created, { tty: false, dataDir: dir });
    const file = path.join(dir, GENERATED_PASSWORD_FILE);
    rmSync(file);
    writeFileSync(file, 'old\n', { mode: 0o644 });
    announce({ ...created, generatedPassword: 'a-newer-generated-passwd' }, { tty: false, dataDir: dir });
    expect(readFileSync(file, 'utf8')).toBe('a-newer-generated-passwd\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('says nothing of a password it did not generate', () => {
    const dir = dataDir();
    const output = announce({ ...created, generatedPassword: undefined }, { tty: false, dataDir: dir });
    expect(output).toBe(`Keyward: created the first administrator ${DEFAULT_ADMIN_EMAIL} and the project "default".`);
    expect(existsSync(path.join(dir, GENERATED_PASSWORD_FILE))).toBe(false);
  });
});
