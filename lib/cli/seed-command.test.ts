import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { apiKeys, apiKeySecrets, memberships, projectKeyCounts, projects, users } from '@/db/schema';
import { describeEachDatabase } from '@/lib/testing/databases';
import { SEEDED_CIPHERTEXT } from '@/lib/seed/keys';
import { checkCommandInput } from './commands';
import { seed } from './seed-command';

describeEachDatabase('keyward seed', (current) => {
  async function keysOf(slug: string) {
    const { db } = current();
    const [row] = await db
      .select({ keys: count(), counted: projectKeyCounts.keyCount })
      .from(projects)
      .innerJoin(apiKeys, eq(apiKeys.projectId, projects.id))
      .leftJoin(projectKeyCounts, eq(projectKeyCounts.projectId, projects.id))
      .where(eq(projects.slug, slug))
      .groupBy(projectKeyCounts.keyCount);
    return row ?? { keys: 0, counted: null };
  }

  it('creates the project and its administrator, adds keys in batches and reports as it goes', async () => {
    const printed: string[] = [];
    const outcome = await seed(current(), { project: 'seeded', keys: '25', admin: 'Seeder@Example.com', batch: '10' }, (line) => printed.push(line));
    expect(outcome.message).toMatch(/^Done: 25 keys in [\d.]+ s, vacuum \+ analyze [\d.]+ s\. "seeded" now holds 25 keys\.$/);
    expect(outcome.warning).toBeUndefined();
    expect(printed[1]).toBe('Created seeder@example.com without a password: npm run keyward -- user set-password seeder@example.com --password-stdin');
    expect(printed[2]).toBe('Project "seeded", administrator seeder@example.com: adding 25 keys in batches of 10.');
    expect(printed.at(-1)).toMatch(/^ {2}25 \/ 25 keys {2}/);
    expect(await keysOf('seeded')).toEqual({ keys: 25, counted: 25 });
    const [admin] = await current()
      .db.select({ role: memberships.role, passwordHash: users.passwordHash })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(users.email, 'seeder@example.com'));
    expect(admin).toEqual({ role: 'admin', passwordHash: null });
    // Seeded secrets never decrypt: the keys list and search like any other, but never verify.
    const secrets = await current().db.selectDistinct({ ciphertext: apiKeySecrets.ciphertext }).from(apiKeySecrets);
    expect(secrets).toEqual([{ ciphertext: SEEDED_CIPHERTEXT }]);
  });

  it('adds to a project that exists', async () => {
    const printed: string[] = [];
    const outcome = await seed(current(), { project: 'seeded', keys: '5' }, (line) => printed.push(line));
    expect(outcome.message).toMatch(/"seeded" now holds 30 keys\.$/);
    expect(printed.some((line) => line.startsWith('Created'))).toBe(false);
    expect(await keysOf('seeded')).toEqual({ keys: 30, counted: 30 });
  });

  it('refuses bad input before it writes anything', async () => {
    const before = await keysOf('seeded');
    for (const [input, message] of [
      [{ project: 'seeded', keys: '0' }, /^keys: Must be a positive whole number\.$/],
      [{ project: 'seeded', keys: 'many' }, /^keys: /],
      [{ project: 'seeded', keys: '5', batch: '2.5' }, /^batch: Must be a positive whole number\.$/],
      [{ project: 'x', keys: '5' }, /^project: Project slug must be 2–48 characters\.$/],
      [{ project: 'seeded', keys: '5', admin: 'not-an-email' }, /^admin: /],
    ] as const) {
      await expect(seed(current(), input, () => {})).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    }
    expect(await keysOf('seeded')).toEqual(before);
  });
});

describe('keyward seed input', () => {
  it('is checked before a database is opened', () => {
    expect(() => checkCommandInput({ kind: 'seed', project: 'demo', keys: '-1' })).toThrow(/keys: Must be a positive whole number/);
    expect(() => checkCommandInput({ kind: 'seed', project: 'demo', keys: '1000000', admin: 'a@b.co', batch: '5000' })).not.toThrow();
  });
});
