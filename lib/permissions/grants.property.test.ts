/**
 * Property tests: for random catalogues, keys and requirements, the permission check agrees
 * with a plain reference model written from DESIGN.md's rules (unknown resources are denied,
 * write implies read, action-only resources have no read, full access satisfies everything).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_LIMITS } from '@/lib/limits/schemas';
import { judge, checkRequirement, type VerifiedKey } from '@/lib/verify/verify';
import { catalogueSchema, type Catalogue } from './catalogue';
import { allows, isWithin, normalizeGrants, type Permissions } from './grants';

const ORDER = { none: 0, read: 1, write: 2 } as const;
type RefLevel = keyof typeof ORDER;

// ---- the reference model ----------------------------------------------------------------
function refResources(catalogue: Catalogue): Map<string, boolean> {
  return new Map(catalogue.categories.flatMap((category) => category.resources.map((resource) => [resource.id, resource.actionOnly] as const)));
}
function refLevel(catalogue: Catalogue, permissions: Record<string, unknown> | null, id: string): RefLevel {
  const resources = refResources(catalogue);
  if (!resources.has(id)) return 'none';
  if (permissions === null) return 'write';
  const level = permissions[id];
  const allowed = resources.get(id) ? ['none', 'write'] : ['none', 'read', 'write'];
  return typeof level === 'string' && allowed.includes(level) ? (level as RefLevel) : 'none';
}
const refAllows = (c: Catalogue, p: Record<string, unknown> | null, id: string, need: RefLevel) => ORDER[refLevel(c, p, id)] >= ORDER[need];

// ---- generators ------------------------------------------------------------------------------
const ids = fc.constantFrom('calls', 'messages', 'agents', 'export', 'billing', 'phone', 'voices', 'tools', 'api_keys');
const catalogueArb = fc
  .uniqueArray(fc.record({ id: ids, actionOnly: fc.boolean() }), { minLength: 1, maxLength: 7, selector: (r) => r.id })
  .chain((resources) =>
    fc.integer({ min: 1, max: resources.length }).map((split) =>
      catalogueSchema.parse({
        id: 'random',
        name: 'Random',
        levelLabels: { none: 'No access', read: 'Read', write: 'Write' },
        editableAfterCreation: true,
        categories: [
          { id: 'first', label: 'First', resources: resources.slice(0, split).map((r) => ({ ...r, label: r.id })) },
          ...(split < resources.length ? [{ id: 'second', label: 'Second', resources: resources.slice(split).map((r) => ({ ...r, label: r.id })) }] : []),
        ],
      }),
    ),
  );
const levelish = fc.constantFrom('none', 'read', 'write', 'admin', '', 'READ');
const permissionsArb = fc.option(fc.dictionary(fc.oneof(ids, fc.constantFrom('unknown', '__proto__')), levelish), { nil: null });
const need = fc.constantFrom<RefLevel>('read', 'write');

describe('the permission check against a reference model', () => {
  it('allows() agrees with the model for any catalogue, key and requirement', () => {
    fc.assert(
      fc.property(catalogueArb, permissionsArb, fc.oneof(ids, fc.constant('unknown')), need, (catalogue, permissions, id, level) => {
        expect(allows(catalogue, permissions as Permissions, id, level)).toBe(refAllows(catalogue, permissions, id, level));
      }),
      { numRuns: 2000 },
    );
  });

  it('isWithin() is "grants nothing the holder lacks", and full access only within full access', () => {
    fc.assert(
      fc.property(catalogueArb, permissionsArb, permissionsArb, (catalogue, requested, holder) => {
        const expected =
          holder === null ||
          (requested !== null &&
            [...refResources(catalogue).keys()].every((id) => ORDER[refLevel(catalogue, holder, id)] >= ORDER[refLevel(catalogue, requested, id)]));
        expect(isWithin(catalogue, requested as Permissions, holder as Permissions)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('verification: a requirement naming unknown resources is refused; otherwise VALID exactly when the model allows all of it', () => {
    fc.assert(
      fc.property(
        catalogueArb,
        permissionsArb,
        fc.dictionary(fc.oneof(ids, fc.constant('unknown')), fc.constantFrom('read', 'write', 'none', 'admin'), { maxKeys: 4 }),
        (catalogue, permissions, requirement) => {
          const known = refResources(catalogue);
          const acceptable = Object.entries(requirement).every(([id, level]) => known.has(id) && (level === 'read' || level === 'write'));
          if (!acceptable) {
            expect(() => checkRequirement(catalogue, requirement)).toThrow();
            return;
          }
          const found: VerifiedKey = {
            ...NO_LIMITS,
            apiKeyId: 'id',
            publicId: 'key_x',
            projectId: 'p',
            name: 'n',
            permissions: permissions === null ? null : normalizeGrants(catalogue, permissions as Record<string, never>),
            keyExpiresAt: null,
            secretExpiresAt: null,
          };
          const result = judge(catalogue, found, checkRequirement(catalogue, requirement), new Date());
          const expected = Object.entries(requirement).every(([id, level]) => refAllows(catalogue, permissions, id, level as RefLevel));
          expect(result.code).toBe(expected ? 'VALID' : 'INSUFFICIENT_PERMISSIONS');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
