'use server';

import { revalidatePath } from 'next/cache';
import { runAction, type ActionResult } from '@/lib/auth/action';
import { renameProject, type RenameProjectInput } from '@/lib/projects/rename';

export async function renameProjectAction(input: RenameProjectInput): Promise<ActionResult<{ name: string }>> {
  const result = await runAction(async ({ db, user }) => {
    const project = await renameProject(db, user.id, input);
    return { name: project.name };
  });
  if (result.ok) revalidatePath('/projects/[slug]', 'layout');
  return result;
}
