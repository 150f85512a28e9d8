/** Renaming a project: admin only, checked against the database for the project named. */
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { projects } from '@/db/schema';
import { recordChange } from '@/lib/changes/record';
import { userAuditActor } from '@/lib/audit/user-actor';
import { authorizeProject } from '@/lib/auth/authorize';
import { parseInput } from '@/lib/errors';
import { renameProjectInput, type RenameProjectInput } from './schemas';
import type { Project } from './projects';

export async function renameProject(db: Db, actorUserId: string, input: RenameProjectInput, clientAddress?: string | null): Promise<Project> {
  const { slug, name } = parseInput(renameProjectInput, input);
  return db.transaction(async (tx) => {
    const project = await authorizeProject(tx, actorUserId, slug, 'admin');
    const [renamed] = await tx
      .update(projects)
      .set({ name })
      .where(eq(projects.id, project.id))
      .returning({ id: projects.id, slug: projects.slug, name: projects.name });
    if (project.name !== renamed!.name) {
      const actor = await userAuditActor(tx, project.id, actorUserId, clientAddress);
      await recordChange(tx, actor, { action: 'project.renamed', targetType: 'project', targetId: project.slug, metadata: { from: project.name, to: renamed!.name } });
    }
    return renamed!;
  });
}
