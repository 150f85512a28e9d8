import { and, asc, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { auditEvents, memberships, projects, users } from '@/db/schema';
import { verifyPassword } from '@/lib/auth/password';
import { LAST_ADMIN } from '@/lib/team/team';
import { describeEachDatabase } from '@/lib/testing/databases';
import { findUserByEmail } from '@/lib/users/users';
import { checkCommandInput, executeCommand, projectAdd, userAdd, userRemove, userSetPassword, userSetRole } from './commands';

const PASSWORD = 'correct horse battery staple';

async function snapshot(db: Db) {
  return {
    users: await db.select().from(users).orderBy(asc(users.email)),
    projects: await db.select().from(projects).orderBy(asc(projects.slug)),
    memberships: await db.select().from(memberships).orderBy(asc(memberships.projectId), asc(memberships.userId)),
  };
}

/** The command is refused with `expected` and every table holds exactly what it held before. */
async function expectRefusedUnchanged(db: Db, run: () => Promise<string>, expected: { code: string; message: RegExp }) {
  const before = await snapshot(db);
  expect(before.users.length + before.projects.length).toBeGreaterThan(0);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(error, 'the command should have been refused').toBeDefined();
  expect(error!.code).toBe(expected.code);
  expect(error!.message).toMatch(expected.message);
  expect(await snapshot(db)).toEqual(before);
}

async function roleOf(db: Db, email: string, slug: string) {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(and(eq(users.email, email), eq(projects.slug, slug)));
  return row?.role;
}

describeEachDatabase('operator CLI commands', (current) => {
  beforeAll(async () => {
    await projectAdd(current().db, { slug: 'demo', name: 'Demo' });
    await projectAdd(current().db, { slug: 'other' });
  });

  it('adds projects, named or named after their slug', async () => {
    const { db } = current();
    expect(await projectAdd(db, { slug: 'acme', name: '  Acme Inc  ' })).toBe('Created project acme ("Acme Inc").');
    const rows = (await snapshot(db)).projects.map(({ slug, name }) => ({ slug, name }));
    expect(rows).toEqual([
      { slug: 'acme', name: 'Acme Inc' },
      { slug: 'demo', name: 'Demo' },
      { slug: 'other', name: 'other' },
    ]);
  });

  it('refuses a bad or duplicate project slug and changes nothing', async () => {
    const { db } = current();
    await expectRefusedUnchanged(db, () => projectAdd(db, { slug: 'Bad Slug!' }), { code: 'invalid_input', message: /slug/i });
    await expectRefusedUnchanged(db, () => projectAdd(db, { slug: 'demo', name: 'Again' }), { code: 'conflict', message: /"demo" already exists/ });
  });

  it('adds a user with a password and a role in one step', async () => {
    const { db } = current();
    const message = await userAdd(db, { email: 'Ada@Example.com', project: 'demo', role: 'admin', name: 'Ada', password: PASSWORD });
    expect(message).toBe('Created user ada@example.com (admin of demo).');
    const user = await findUserByEmail(db, 'ada@example.com');
    expect(user?.name).toBe('Ada');
    expect(await verifyPassword(user?.passwordHash, PASSWORD)).toBe(true);
    expect(await roleOf(db, 'ada@example.com', 'demo')).toBe('admin');
  });

  it('adds a user without a password and says how to set one', async () => {
    const { db } = current();
    const message = await userAdd(db, { email: 'bob@example.com', project: 'demo', role: 'member' });
    expect(message).toContain('no password yet');
    expect(message).toContain('user set-password bob@example.com --password-stdin');
    expect((await findUserByEmail(db, 'bob@example.com'))?.passwordHash).toBeNull();
    expect(await roleOf(db, 'bob@example.com', 'demo')).toBe('member');
  });

  it('refuses bad user input, unknown projects and duplicates, and changes nothing', async () => {
    const { db } = current();
    const add = (input: Partial<Parameters<typeof userAdd>[1]>) => () =>
      userAdd(db, { email: 'new@example.com', project: 'demo', role: 'member', ...input });
    await expectRefusedUnchanged(db, add({ email: 'not-an-email' }), { code: 'invalid_input', message: /email: Enter a valid email/ });
    await expectRefusedUnchanged(db, add({ project: 'nope' }), { code: 'not_found', message: /No project has the slug "nope"/ });
    await expectRefusedUnchanged(db, add({ role: 'owner' }), { code: 'invalid_input', message: /Role must be "admin" or "member"/ });
    await expectRefusedUnchanged(db, add({ password: 'short' }), { code: 'invalid_input', message: /at least 8 characters/ });
    // A duplicate, in another case and for another project: neither a user nor a membership appears.
    await expectRefusedUnchanged(db, add({ email: 'ADA@example.com', project: 'other', password: PASSWORD }), {
      code: 'conflict',
      message: /A user with the email ada@example.com already exists/,
    });
    expect(await findUserByEmail(db, 'new@example.com')).toBeUndefined();
  });

  it('sets a password, and refuses a short one or an unknown user without a change', async () => {
    const { db } = current();
    expect(await userSetPassword(db, { email: 'bob@example.com', password: PASSWORD })).toBe('Set the password of bob@example.com.');
    expect(await verifyPassword((await findUserByEmail(db, 'bob@example.com'))?.passwordHash, PASSWORD)).toBe(true);
    await expectRefusedUnchanged(db, () => userSetPassword(db, { email: 'bob@example.com', password: 'short' }), {
      code: 'invalid_input',
      message: /at least 8 characters/,
    });
    await expectRefusedUnchanged(db, () => userSetPassword(db, { email: 'nobody@example.com', password: PASSWORD }), {
      code: 'not_found',
      message: /No user has the email nobody@example.com/,
    });
  });

  it('changes a role, adds an existing user to another project, and removes a member', async () => {
    const { db } = current();
    // bob is made an administrator first: the last one may not step down.
    await userSetRole(db, { email: 'bob@example.com', project: 'demo', role: 'admin' });
    expect(await userSetRole(db, { email: 'ada@example.com', project: 'demo', role: 'member' })).toBe('ada@example.com is now member of demo.');
    expect(await roleOf(db, 'ada@example.com', 'demo')).toBe('member');
    await userSetRole(db, { email: 'ada@example.com', project: 'other', role: 'admin' });
    await userSetRole(db, { email: 'bob@example.com', project: 'other', role: 'member' });
    expect(await roleOf(db, 'ada@example.com', 'other')).toBe('admin');
    expect(await userRemove(db, { email: 'bob@example.com', project: 'other' })).toBe('Removed bob@example.com from other.');
    expect(await roleOf(db, 'bob@example.com', 'other')).toBeUndefined();
    expect(await roleOf(db, 'ada@example.com', 'demo')).toBe('member');
  });

  it('keeps a project’s last administrator, with the console’s message', async () => {
    const { db } = current();
    // ada is the only administrator of "other".
    await expectRefusedUnchanged(db, () => userSetRole(db, { email: 'ada@example.com', project: 'other', role: 'member' }), { code: 'conflict', message: new RegExp(`^${LAST_ADMIN}$`) });
    await expectRefusedUnchanged(db, () => userRemove(db, { email: 'ada@example.com', project: 'other' }), { code: 'conflict', message: new RegExp(`^${LAST_ADMIN}$`) });
    expect(await roleOf(db, 'ada@example.com', 'other')).toBe('admin');
  });

  it('audits every change of projects, users and roles in the project concerned, as the operator', async () => {
    const { db } = current();
    await projectAdd(db, { slug: 'audited', name: 'Audited' });
    await userAdd(db, { email: 'carol@example.com', project: 'audited', role: 'admin' });
    await userAdd(db, { email: 'dan@example.com', project: 'audited', role: 'member', password: PASSWORD });
    await userSetRole(db, { email: 'dan@example.com', project: 'audited', role: 'admin' });
    await userSetRole(db, { email: 'carol@example.com', project: 'demo', role: 'member' });
    await userSetPassword(db, { email: 'carol@example.com', password: PASSWORD });
    await userRemove(db, { email: 'carol@example.com', project: 'audited' });

    const [project] = await db.select().from(projects).where(eq(projects.slug, 'audited'));
    const [demo] = await db.select().from(projects).where(eq(projects.slug, 'demo'));
    const carol = (await findUserByEmail(db, 'carol@example.com'))!;
    const dan = (await findUserByEmail(db, 'dan@example.com'))!;
    const events = await db.select().from(auditEvents).where(inArray(auditEvents.targetId, [project!.id, carol.id, dan.id]));
    expect(events.every((e) => e.actorType === 'system' && e.actorId === null && e.actorLabel === 'operator CLI')).toBe(true);
    // Events of one transaction share a time, so they are compared in an order of their own.
    const summary = (rows: unknown[][]) => rows.sort((a, b) => a.slice(0, 3).join(' ').localeCompare(b.slice(0, 3).join(' ')));
    expect(summary(events.map((e) => [e.projectId, e.action, e.targetId, e.metadata]))).toEqual(
      summary([
        [project!.id, 'project.created', project!.id, { slug: 'audited', name: 'Audited' }],
        [project!.id, 'member.added', carol.id, { email: 'carol@example.com', role: 'admin', newUser: true }],
        [project!.id, 'member.added', dan.id, { email: 'dan@example.com', role: 'member', newUser: true }],
        [project!.id, 'member.role_changed', dan.id, { email: 'dan@example.com', from: 'member', to: 'admin' }],
        [demo!.id, 'member.added', carol.id, { email: 'carol@example.com', role: 'member', newUser: false }],
        [project!.id, 'user.password_set', carol.id, { email: 'carol@example.com', via: 'cli' }],
        [demo!.id, 'user.password_set', carol.id, { email: 'carol@example.com', via: 'cli' }],
        [project!.id, 'member.removed', carol.id, { email: 'carol@example.com', role: 'admin' }],
      ]),
    );
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('setting a password ends the user’s sessions signed in before it', async () => {
    const { db } = current();
    const before = new Date();
    await userSetPassword(db, { email: 'dan@example.com', password: `${PASSWORD} again` });
    const [row] = await db.select({ sessionsValidFrom: users.sessionsValidFrom }).from(users).where(eq(users.email, 'dan@example.com'));
    expect(row!.sessionsValidFrom!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(row!.sessionsValidFrom!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('refuses role changes and removals that name nothing real, and changes nothing', async () => {
    const { db } = current();
    const setRole = (input: Partial<Parameters<typeof userSetRole>[1]>) => () =>
      userSetRole(db, { email: 'ada@example.com', project: 'demo', role: 'admin', ...input });
    await expectRefusedUnchanged(db, setRole({ role: 'root' }), { code: 'invalid_input', message: /Role must be/ });
    await expectRefusedUnchanged(db, setRole({ email: 'ghost@example.com' }), { code: 'not_found', message: /No user has the email/ });
    await expectRefusedUnchanged(db, setRole({ project: 'nope' }), { code: 'not_found', message: /No project has the slug/ });
    await expectRefusedUnchanged(db, () => userRemove(db, { email: 'bob@example.com', project: 'other' }), {
      code: 'not_found',
      message: /bob@example.com is not a member of other/,
    });
  });

  it('lists a project’s audit events newest first, and refuses an unknown project', async () => {
    const { db } = current();
    await executeCommand(db, { kind: 'key create', name: 'Audited one', project: 'demo' });
    await executeCommand(db, { kind: 'key create', name: 'Audited two', project: 'demo' });
    const events = JSON.parse(await executeCommand(db, { kind: 'audit list', project: 'demo', limit: '1' })) as { action: string; actorType: string; metadata: { name: string } }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'api_key.created', actorType: 'system', metadata: { name: 'Audited two' } });
    await expect(executeCommand(db, { kind: 'audit list', project: 'nowhere' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(executeCommand(db, { kind: 'audit list', project: 'demo', limit: '0' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('shows a user with their projects and roles, never a hash, and refuses an unknown or malformed email', async () => {
    const { db } = current();
    const shown = JSON.parse(await executeCommand(db, { kind: 'user show', email: 'ADA@example.com' })) as Record<string, unknown>;
    const ada = (await findUserByEmail(db, 'ada@example.com'))!;
    expect(shown).toEqual({
      id: ada.id,
      email: 'ada@example.com',
      name: ada.name,
      passwordSet: ada.passwordHash !== null,
      projects: [
        { slug: 'demo', role: 'member' },
        { slug: 'other', role: 'admin' },
      ],
    });
    expect(JSON.stringify(shown)).not.toContain('argon2');
    await expect(executeCommand(db, { kind: 'user show', email: 'ghost@example.com' })).rejects.toMatchObject({ code: 'not_found', message: 'No user has the email ghost@example.com.' });
    await expect(executeCommand(db, { kind: 'user show', email: 'ghost@' })).rejects.toMatchObject({ code: 'invalid_input', fieldErrors: { email: ['Enter a valid email address.'] } });
  });

  it('refuses a password command without a password on stdin', async () => {
    const { db } = current();
    await expectRefusedUnchanged(db, () => executeCommand(db, { kind: 'user set-password', email: 'bob@example.com' }), {
      code: 'invalid_input',
      message: /No password was given on stdin/,
    });
  });
});

describe('checking command input before a database is opened', () => {
  it('refuses what the commands would refuse, and accepts good input', () => {
    const addUser = { kind: 'user add', email: 'a@example.com', project: 'demo', role: 'member', passwordStdin: false } as const;
    expect(() => checkCommandInput(addUser)).not.toThrow();
    expect(() => checkCommandInput({ ...addUser, passwordStdin: true }, PASSWORD)).not.toThrow();
    expect(() => checkCommandInput({ ...addUser, email: 'nope' })).toThrow(/email: Enter a valid email address/);
    expect(() => checkCommandInput({ ...addUser, role: 'owner' })).toThrow(/Role must be/);
    expect(() => checkCommandInput({ ...addUser, project: 'Not A Slug' })).toThrow(/project: /);
    expect(() => checkCommandInput({ ...addUser, passwordStdin: true }, 'short')).toThrow(/password: Password must be at least 8/);
    expect(() => checkCommandInput({ kind: 'project add', slug: '-x-' })).toThrow(/slug/);
    expect(() => checkCommandInput({ kind: 'user set-password', email: 'a@example.com' }, 'short')).toThrow(/at least 8/);
    expect(() => checkCommandInput({ kind: 'user set-role', email: 'a@example.com', project: 'demo', role: 'root' })).toThrow(/Role must be/);
    expect(() => checkCommandInput({ kind: 'user remove', email: 'a@', project: 'demo' })).toThrow(/email/);
    expect(() => checkCommandInput({ kind: 'user show', email: 'a@' })).toThrow(/email: Enter a valid email address/);
  });
});
