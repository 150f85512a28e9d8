/** `audit list`: a project's audit events for the operator, newest first, as JSON. */
import { z } from 'zod';
import type { Db } from '@/db/client';
import { auditEventsPage, auditQuery } from '@/lib/audit/list';
import { parseInput } from '@/lib/errors';
import { requireProjectBySlug } from '@/lib/projects/projects';
import { projectSlugSchema } from '@/lib/projects/schemas';

const input = z.object({ project: projectSlugSchema, limit: z.coerce.number().int().min(1).max(100).default(100) });

export async function auditList(db: Db, command: { project: string; limit?: string }): Promise<string> {
  const { project: slug, limit } = parseInput(input, command);
  const project = await requireProjectBySlug(db, slug);
  const page = await auditEventsPage(db, project.id, { ...auditQuery.parse({}), pageSize: limit });
  return JSON.stringify(page.events, null, 2);
}
