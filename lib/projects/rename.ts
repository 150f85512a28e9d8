/** Renaming a project: administrators only, checked against the database for the acting project. */
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { projects } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { recordChange } from '@/lib/changes/record';
import { parseInput } from '@/lib/errors';
import { renameProjectInput, type RenameProjectInput } from './schemas';
import type { Project } from './projects';

export async function renameProject(db: Db, actor: Actor, input: RenameProjectInput): Promise<Project> {
  return db.transaction(async (tx) => {
    const project = await authorize(tx, actor, 'admin');
    const { name } = parseInput(renameProjectInput, input);
    const [renamed] = await tx
      .update(projects)
      .set({ name })
      .where(eq(projects.id, project.projectId))
      .returning({ id: projects.id, slug: projects.slug, name: projects.name });
    if (project.projectName !== renamed!.name) {
      await recordChange(tx, project, {
        action: 'project.renamed',
        targetType: 'project',
        targetId: project.projectSlug,
        metadata: { from: project.projectName, to: renamed!.name },
      });
    }
    return renamed!;
  });
}
