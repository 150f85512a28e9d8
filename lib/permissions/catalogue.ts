/**
 * The permission catalogue: categories → resources → the levels each allows, and the labels
 * people see. Pure data and pure functions; no database. A deployment picks a preset or its own
 * JSON file (lib/permissions/load.ts). Unknown resources are always denied.
 */
import { z } from 'zod';

export const LEVELS = ['none', 'read', 'write'] as const;
export type Level = (typeof LEVELS)[number];
export const levelSchema = z.enum(LEVELS);

const labelSchema = z.string().trim().min(1).max(60);
const idSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be snake_case: lower-case letters, digits and underscores, starting with a letter');

export const resourceSchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  // An action-only resource (Retell's Export and Call) has no Read level.
  actionOnly: z.boolean().default(false),
});

export const catalogueSchema = z
  .strictObject({
    id: idSchema,
    name: labelSchema,
    levelLabels: z.strictObject({ none: labelSchema, read: labelSchema, write: labelSchema }),
    editableAfterCreation: z.boolean(),
    categories: z
      .array(z.strictObject({ id: idSchema, label: labelSchema, resources: z.array(resourceSchema).min(1) }))
      .min(1),
  })
  .superRefine((catalogue, ctx) => {
    const seen = new Set<string>();
    catalogue.categories.forEach((category, c) =>
      category.resources.forEach((resource, r) => {
        if (seen.has(resource.id)) {
          ctx.addIssue({ code: 'custom', path: ['categories', c, 'resources', r, 'id'], message: `duplicate resource id "${resource.id}"` });
        }
        seen.add(resource.id);
      }),
    );
  });

export type Catalogue = z.output<typeof catalogueSchema>;
export type CatalogueResource = Catalogue['categories'][number]['resources'][number];

/** The levels a resource allows, lowest first. */
export function levelsOf(resource: Pick<CatalogueResource, 'actionOnly'>): Level[] {
  return resource.actionOnly ? ['none', 'write'] : ['none', 'read', 'write'];
}

export function resourcesOf(catalogue: Catalogue): CatalogueResource[] {
  return catalogue.categories.flatMap((category) => category.resources);
}

export function findResource(catalogue: Catalogue, id: string): CatalogueResource | undefined {
  return resourcesOf(catalogue).find((resource) => resource.id === id);
}

const rank: Record<Level, number> = { none: 0, read: 1, write: 2 };

/** Write implies read. */
export function satisfies(granted: Level, required: Level): boolean {
  return rank[granted] >= rank[required];
}
