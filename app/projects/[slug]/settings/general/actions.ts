'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { clientAddress } from '@/lib/api/client-address';
import { runAction, type ActionResult } from '@/lib/auth/action';
import { renameProject } from '@/lib/projects/rename';
import type { RenameProjectInput } from '@/lib/projects/schemas';

export async function renameProjectAction(input: RenameProjectInput): Promise<ActionResult<{ name: string }>> {
  const result = await runAction(async ({ db, user }) => {
    const project = await renameProject(db, user.id, input, clientAddress(await headers()));
    return { name: project.name };
  });
  if (result.ok) revalidatePath('/projects/[slug]', 'layout');
  return result;
}
