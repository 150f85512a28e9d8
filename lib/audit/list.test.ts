import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { auditEvents } from '@/db/schema';
import { createProject, setMembership } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import { createUser } from '@/lib/users/users';
import { auditCsvLine, auditQuery, exportAuditCsv, listAuditEvents } from './list';
import type { UserActor } from '@/lib/auth/authorize';

process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

const query = (input: Record<string, unknown> = {}) => auditQuery.parse(input);

describeEachDatabase('Audit log', (current) => {
  let admin: UserActor;
  let member: UserActor;
  let outsider: UserActor;

  beforeAll(async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'audited' });
    const other = await createProject(db, { slug: 'unrelated' });
    const a = await createUser(db, { email: 'admin@audited.test' });
    const m = await createUser(db, { email: 'member@audited.test' });
    const o = await createUser(db, { email: 'admin@unrelated.test' });
    await setMembership(db, project.id, a.id, 'admin');
    await setMembership(db, project.id, m.id, 'member');
    await setMembership(db, other.id, o.id, 'admin');
    admin = { type: 'user', userId: a.id, projectSlug: 'audited' };
    member = { type: 'user', userId: m.id, projectSlug: 'audited' };
    outsider = { type: 'user', userId: o.id, projectSlug: 'audited' };
    // 60 events over three days: alternating actors and actions, one key targeted by a third.
    const rows = Array.from({ length: 60 }, (_, i) => ({
      projectId: project.id,
      actorType: i % 2 ? ('api_key' as const) : ('user' as const),
      actorId: i % 2 ? 'key_robot' : a.id,
      actorLabel: i % 2 ? 'Deploy robot' : 'admin@audited.test',
      action: i % 3 ? 'api_key.created' : 'api_key.deleted',
      targetType: 'api_key',
      targetId: i % 3 === 1 ? 'key_target' : `key_${i}`,
      clientAddress: '198.51.100.1',
      metadata: i === 0 ? { name: '=HYPERLINK("http://evil.example")' } : { name: `Key "${i}"` },
      createdAt: new Date(Date.UTC(2026, 10, 20 + Math.floor(i / 20), 12, 0, i)),
    }));
    await db.insert(auditEvents).values(rows);
    await db.insert(auditEvents).values({ ...rows[0]!, projectId: other.id, actorLabel: 'elsewhere' });
  });

  it('is for administrators of the project only', async () => {
    const { db } = current();
    expect((await rejection(listAuditEvents(db, member, query()))).code).toBe('forbidden');
    expect((await rejection(listAuditEvents(db, outsider, query()))).code).toBe('not_found');
    expect((await rejection(exportAuditCsv(db, member, query()).next())).code).toBe('forbidden');
  });

  it('pages newest first, over this project only', async () => {
    const { db } = current();
    const first = await listAuditEvents(db, admin, query());
    expect(first).toMatchObject({ total: 60, page: 1, pageCount: 3, totalIsCapped: false });
    expect(first.events).toHaveLength(25);
    const times = first.events.map((e) => e.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    const last = await listAuditEvents(db, admin, query({ page: 9 }));
    expect(last.page).toBe(3);
    expect(last.events).toHaveLength(10);
    expect(last.events.some((e) => e.actorLabel === 'elsewhere')).toBe(false);
  });

  it('filters by action, actor, key and an inclusive date range', async () => {
    const { db } = current();
    expect((await listAuditEvents(db, admin, query({ action: 'api_key.deleted' }))).total).toBe(20);
    expect((await listAuditEvents(db, admin, query({ actor: 'ROBOT' }))).total).toBe(30);
    expect((await listAuditEvents(db, admin, query({ actor: 'key_robot' }))).total).toBe(30);
    expect((await listAuditEvents(db, admin, query({ actor: '%' }))).total).toBe(0);
    expect((await listAuditEvents(db, admin, query({ key: 'key_target' }))).total).toBe(20);
    expect((await listAuditEvents(db, admin, query({ from: '2026-11-21', to: '2026-11-21' }))).total).toBe(20);
    expect((await listAuditEvents(db, admin, query({ from: '2026-11-21' }))).total).toBe(40);
    expect((await listAuditEvents(db, admin, query({ from: 'yesterday', to: '2026-13-45' }))).total).toBe(60);
    const both = await listAuditEvents(db, admin, query({ action: 'api_key.created', actor: 'robot', to: '2026-11-20' }));
    expect(both.events.every((e) => e.action === 'api_key.created' && e.actorType === 'api_key' && e.createdAt < '2026-11-21')).toBe(true);
    expect(both.total).toBe(both.events.length);
  });

  it('exports exactly the filtered view as CSV, with formulas defused', async () => {
    const { db } = current();
    const filters = query({ actor: 'robot', pageSize: 100 });
    const view = await listAuditEvents(db, admin, filters);
    let csv = '';
    for await (const chunk of exportAuditCsv(db, admin, filters, 7)) csv += chunk;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,actor_type,actor,actor_id,action,target_type,target,client_address,details');
    expect(lines.slice(1)).toEqual(view.events.map(auditCsvLine));

    let all = '';
    for await (const chunk of exportAuditCsv(db, admin, query())) all += chunk;
    expect(all).toContain(`"{""name"":""=HYPERLINK(\\""http://evil.example\\"")""}"`);
    expect(auditCsvLine({ ...view.events[0]!, actorLabel: '=cmd()' })).toContain(`"'=cmd()"`);
  });
});
