/**
 * Reading the audit log: a project's events, newest first, filtered by action, actor, key and
 * date range, one page at a time — and the same view as CSV. Administrators only. The count
 * behind "Page X of Y" stops at AUDIT_COUNT_CAP, so a huge log never costs a full count.
 */
import { and, desc, eq, gte, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { auditEvents } from '@/db/schema';
import { authorize, type Actor, type Need } from '@/lib/auth/authorize';

export const AUDIT_ADMIN_ONLY = 'Only administrators can view the audit log.';
export const AUDIT_PAGE_SIZES = [25, 50, 100] as const;
export const AUDIT_COUNT_CAP = 10_000;
export const AUDIT_EXPORT_LIMIT = 100_000;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
  .optional()
  .catch(undefined);

/** The URL's filters, leniently: anything malformed is dropped rather than refused. */
export const auditQuery = z.object({
  action: z.string().max(100).optional().catch(undefined),
  actor: z.string().trim().max(200).optional().catch(undefined),
  key: z.string().trim().max(100).optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  pageSize: z.coerce
    .number()
    .refine((n) => (AUDIT_PAGE_SIZES as readonly number[]).includes(n))
    .catch(25),
});
export type AuditQuery = z.output<typeof auditQuery>;

export type AuditEventJson = {
  id: string;
  createdAt: string;
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  clientAddress: string | null;
  metadata: Record<string, unknown>;
};

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function filters(projectId: string, query: AuditQuery): SQL {
  const where: (SQL | undefined)[] = [eq(auditEvents.projectId, projectId)];
  if (query.action) where.push(eq(auditEvents.action, query.action));
  if (query.actor) where.push(or(eq(auditEvents.actorId, query.actor), ilike(auditEvents.actorLabel, `%${escapeLike(query.actor)}%`)));
  if (query.key) where.push(and(eq(auditEvents.targetType, 'api_key'), eq(auditEvents.targetId, query.key)));
  if (query.from) where.push(gte(auditEvents.createdAt, new Date(`${query.from}T00:00:00Z`)));
  // "to" is inclusive: the whole of that day (UTC).
  if (query.to) where.push(lt(auditEvents.createdAt, new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000)));
  return and(...where)!;
}

const columns = {
  id: auditEvents.id,
  createdAt: auditEvents.createdAt,
  actorType: auditEvents.actorType,
  actorId: auditEvents.actorId,
  actorLabel: auditEvents.actorLabel,
  action: auditEvents.action,
  targetType: auditEvents.targetType,
  targetId: auditEvents.targetId,
  clientAddress: auditEvents.clientAddress,
  metadata: auditEvents.metadata,
};

type Row = Omit<AuditEventJson, 'createdAt'> & { createdAt: Date };
const toJson = (row: Row): AuditEventJson => ({ ...row, createdAt: row.createdAt.toISOString() });

/** Reading the audit log: a signed-in administrator. */
export const READ_AUDIT_LOG: Need = { role: 'admin', denied: AUDIT_ADMIN_ONLY };

export type AuditPage = { events: AuditEventJson[]; total: number; totalIsCapped: boolean; page: number; pageCount: number };

export async function listAuditEvents(db: Db, actor: Actor, query: AuditQuery): Promise<AuditPage> {
  return auditEventsPage(db, (await authorize(db, actor, READ_AUDIT_LOG)).projectId, query);
}

async function auditEventsPage(db: Db, projectId: string, query: AuditQuery): Promise<AuditPage> {
  const where = filters(projectId, query);
  const capped = db.select({ one: sql`1`.as('one') }).from(auditEvents).where(where).limit(AUDIT_COUNT_CAP + 1).as('capped');
  const [{ total }] = (await db.select({ total: sql<number>`count(*)::int` }).from(capped)) as [{ total: number }];
  const totalIsCapped = total > AUDIT_COUNT_CAP;
  const shownTotal = Math.min(total, AUDIT_COUNT_CAP);
  const pageCount = Math.max(1, Math.ceil(shownTotal / query.pageSize));
  const page = Math.min(query.page, pageCount);
  const rows = await db
    .select(columns)
    .from(auditEvents)
    .where(where)
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(query.pageSize)
    .offset((page - 1) * query.pageSize);
  return { events: rows.map(toJson), total: shownTotal, totalIsCapped, page, pageCount };
}

/** One CSV cell: quoted, and never read as a formula by a spreadsheet. */
function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const AUDIT_CSV_HEADER = ['time', 'actor_type', 'actor', 'actor_id', 'action', 'target_type', 'target', 'client_address', 'details'];

export function auditCsvLine(event: AuditEventJson): string {
  return [
    event.createdAt,
    event.actorType,
    event.actorLabel,
    event.actorId,
    event.action,
    event.targetType,
    event.targetId,
    event.clientAddress,
    event.metadata,
  ]
    .map(cell)
    .join(',');
}

/** The filtered view as CSV lines (header first), newest first, read in batches by keyset. */
export async function* exportAuditCsv(db: Db, actor: Actor, query: AuditQuery, batch = 1000): AsyncGenerator<string> {
  const { projectId } = await authorize(db, actor, READ_AUDIT_LOG);
  const where = filters(projectId, query);
  yield `${AUDIT_CSV_HEADER.join(',')}\r\n`;
  let after: { createdAt: Date; id: string } | undefined;
  for (let sent = 0; sent < AUDIT_EXPORT_LIMIT; ) {
    const rows = await db
      .select(columns)
      .from(auditEvents)
      .where(after ? and(where, sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`) : where)
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
      .limit(Math.min(batch, AUDIT_EXPORT_LIMIT - sent));
    if (rows.length === 0) return;
    yield rows.map((row) => `${auditCsvLine(toJson(row))}\r\n`).join('');
    sent += rows.length;
    after = rows[rows.length - 1]!;
  }
}
