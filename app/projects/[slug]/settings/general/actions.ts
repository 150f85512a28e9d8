'use server';

import { projectAction, type ActionResult } from '@/lib/auth/action';
import { renameProject } from '@/lib/projects/rename';
import type { RenameProjectInput } from '@/lib/projects/schemas';

/** The project's name shows in every page under it: all of them refresh. */
export async function renameProjectAction(slug: string, input: RenameProjectInput): Promise<ActionResult<{ name: string }>> {
  return projectAction(slug, async (db, actor) => ({ name: (await renameProject(db, actor, input)).name }), { path: '/projects/[slug]', type: 'layout' });
}
