/**
 * What a key may do: `null` is full access; otherwise a map giving every catalogue resource a
 * level. Validates requested grants against the catalogue and compares grants (a caller never
 * grants more than it holds). Resources added to the catalogue later read as `none`.
 */
import { z } from 'zod';
import { findResource, levelsOf, resourcesOf, satisfies, type Catalogue, type Level } from './catalogue';

export type Grants = Record<string, Level>;
/** A key's permissions: null means full access. */
export type Permissions = Grants | null;

/**
 * The `permissions` field of create and edit input: absent or null for full access, or a map
 * listing the resources a restricted key is granted (the rest are `none`).
 */
export function permissionsInput(catalogue: Catalogue) {
  return z
    .record(z.string(), z.string())
    .nullable()
    .optional()
    .superRefine((value, ctx) => {
      for (const [id, level] of Object.entries(value ?? {})) {
        const resource = findResource(catalogue, id);
        if (!resource) {
          ctx.addIssue({ code: 'custom', path: [id], message: `Unknown resource "${id}".` });
          continue;
        }
        const allowed = levelsOf(resource);
        if (!(allowed as string[]).includes(level)) {
          const names = allowed.map((l) => catalogue.levelLabels[l]).join(', ');
          ctx.addIssue({ code: 'custom', path: [id], message: `${resource.label} allows only: ${names}.` });
        }
      }
    })
    .transform((value): Permissions | undefined => {
      // Absent stays absent (an edit that leaves permissions alone); null is full access.
      if (value === undefined) return undefined;
      return value === null ? null : normalizeGrants(catalogue, value as Grants);
    });
}

/** Every catalogue resource with its level: the listed one, else `none`; unknown ids dropped. */
export function normalizeGrants(catalogue: Catalogue, grants: Partial<Record<string, Level>>): Grants {
  const normalized: Grants = {};
  for (const resource of resourcesOf(catalogue)) {
    const level = grants[resource.id];
    normalized[resource.id] = level && (levelsOf(resource) as string[]).includes(level) ? level : 'none';
  }
  return normalized;
}

/** The level a key holds on a resource; unknown resources are always `none`. */
export function levelOn(catalogue: Catalogue, permissions: Permissions, resourceId: string): Level {
  const resource = findResource(catalogue, resourceId);
  if (!resource) return 'none';
  if (permissions === null) return 'write';
  const level = permissions[resourceId];
  return level && (levelsOf(resource) as string[]).includes(level) ? level : 'none';
}

export function allows(catalogue: Catalogue, permissions: Permissions, resourceId: string, required: Level): boolean {
  return satisfies(levelOn(catalogue, permissions, resourceId), required);
}

/** True when `requested` grants nothing that `holder` lacks (full access only within full access). */
export function isWithin(catalogue: Catalogue, requested: Permissions, holder: Permissions): boolean {
  if (holder === null) return true;
  if (requested === null) return false;
  return resourcesOf(catalogue).every((resource) =>
    satisfies(levelOn(catalogue, holder, resource.id), levelOn(catalogue, requested, resource.id)),
  );
}

/** How many resources a restricted key can reach at all; for the table's summary. */
export function grantedCount(catalogue: Catalogue, permissions: Permissions): number {
  return resourcesOf(catalogue).filter((resource) => levelOn(catalogue, permissions, resource.id) !== 'none').length;
}
