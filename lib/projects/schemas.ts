/** The shapes of project input, shared by the CLI and the server. */
import { z } from 'zod';

export const projectSlugSchema = z
  .string({ error: 'Project slug is required.' })
  .trim()
  .min(2, 'Project slug must be 2–48 characters.')
  .max(48, 'Project slug must be 2–48 characters.')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Project slug may hold lower-case letters, digits and single hyphens.');

export const createProjectInput = z.strictObject({
  slug: projectSlugSchema,
  name: z.string().trim().min(1, 'Project name is required.').max(100, 'Project name must be at most 100 characters.').optional(),
});
export type CreateProjectInput = z.input<typeof createProjectInput>;

export const renameProjectInput = z.strictObject({
  name: z.string({ error: 'Name is required.' }).trim().min(1, 'Name is required.').max(100, 'Name must be at most 100 characters.'),
});
export type RenameProjectInput = z.input<typeof renameProjectInput>;
