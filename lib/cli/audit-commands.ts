/** `audit list`: a project's audit events for the operator, newest first, as JSON. */
import { z } from 'zod';
import type { Db } from '@/db/client';
import { auditEventsPage, auditQuery } from '@/lib/audit/list';
import { invalidInput } from '@/lib/errors';
import { requireProjectBySlug } from '@/lib/projects/projects';
import { projectSlugSchema } from '@/lib/projects/schemas';

const input = z.object({ project: projectSlugSchema, limit: z.coerce.number().int().min(1).max(100).default(100) });

export async function auditList(db: Db, command: { project: string; limit?: string }): Promise<string> {
  const parsed = input.safeParse(command);
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const project = await requireProjectBySlug(db, parsed.data.project);
  const page = await auditEventsPage(db, project.id, { ...auditQuery.parse({}), pageSize: parsed.data.limit });
  return JSON.stringify(page.events, null, 2);
}
