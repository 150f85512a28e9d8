/** Renaming a project: admin only, checked against the database for the project named. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { projects } from '@/db/schema';
import { authorizeProject } from '@/lib/auth/authorize';
import { invalidInput } from '@/lib/errors';
import { projectSlugSchema } from './schemas';
import type { Project } from './projects';

export const renameProjectInput = z.strictObject({
  slug: projectSlugSchema,
  name: z.string({ error: 'Name is required.' }).trim().min(1, 'Name is required.').max(100, 'Name must be at most 100 characters.'),
});
export type RenameProjectInput = z.input<typeof renameProjectInput>;

export async function renameProject(db: Db, actorUserId: string, input: RenameProjectInput): Promise<Project> {
  const parsed = renameProjectInput.safeParse(input);
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  return db.transaction(async (tx) => {
    const project = await authorizeProject(tx, actorUserId, parsed.data.slug, 'admin');
    const [renamed] = await tx
      .update(projects)
      .set({ name: parsed.data.name })
      .where(eq(projects.id, project.id))
      .returning({ id: projects.id, slug: projects.slug, name: projects.name });
    return renamed!;
  });
}
