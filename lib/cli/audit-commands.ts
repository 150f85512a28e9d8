/** `audit list`: a project's audit events for the operator, newest first, as JSON. */
import { z } from 'zod';
import type { Db } from '@/db/client';
import { auditQuery, listAuditEvents } from '@/lib/audit/list';
import { parseInput } from '@/lib/errors';
import { projectSlugSchema } from '@/lib/projects/schemas';
import { operator } from './operator';

const input = z.object({ project: projectSlugSchema, limit: z.coerce.number().int().min(1).max(100).default(100) });

export async function auditList(db: Db, command: { project: string; limit?: string }): Promise<string> {
  const { project: slug, limit } = parseInput(input, command);
  const page = await listAuditEvents(db, operator(slug), { ...auditQuery.parse({}), pageSize: limit });
  return JSON.stringify(page.events, null, 2);
}
