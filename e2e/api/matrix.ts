/**
 * The permission matrix of the catalogue the server runs: every resource × every level it allows ×
 * every requirement, through keys created by the REST API and checked by POST /api/v1/keys/verify.
 * Registered by e2e/api/matrix.spec.ts (diga) and e2e/retell/api-matrix.spec.ts (retell).
 */
import { expect, test } from '@playwright/test';
import { resourcesOf } from '@/lib/permissions/catalogue';
import { seedProject } from '../support/seed';
import { client, grants, rootKey, rotatingGrants, serverCatalogue, verifyOverHttp } from './helpers';

export function matrixTest(): void {
  test('every resource × level × requirement verifies as the catalogue says', async ({ request }) => {
    const catalogue = serverCatalogue();
    const project = await seedProject();
    const api = client(request, (await rootKey(project.slug)).secret);
    const resources = resourcesOf(catalogue);
    const full = await api.create({ name: 'full' });
    const keys = [];
    for (const [i, permissions] of rotatingGrants(catalogue).entries()) {
      const key = await api.create({ name: `matrix ${i}`, permissions });
      expect(key.permissions).toEqual(permissions);
      keys.push(key);
    }
    // Each resource is seen at each of its levels.
    for (const resource of resources) expect(new Set(keys.map((key) => key.permissions![resource.id])).size).toBe(resource.actionOnly ? 2 : 3);

    let checked = 0;
    for (const key of keys) {
      for (const resource of resources) {
        for (const required of ['read', 'write'] as const) {
          const held = key.permissions![resource.id]!;
          const { status, body } = await verifyOverHttp(request, key.key, { [resource.id]: required });
          expect(status).toBe(200);
          const expected = grants(held, required);
          expect(body, `${resource.id} held ${held}, required ${required}`).toEqual({
            valid: expected,
            code: expected ? 'VALID' : 'INSUFFICIENT_PERMISSIONS',
            keyId: key.id,
            projectId: expect.any(String),
            permissions: key.permissions,
            expiresAt: null,
            // A refusal names what was missing, at the level asked.
            ...(expected ? {} : { missing: { [resource.id]: required } }),
          });
          checked++;
        }
      }
      // A requirement of several resources holds only if each does.
      const granted = Object.fromEntries(resources.filter((r) => key.permissions![r.id] !== 'none').map((r) => [r.id, 'read']));
      expect((await verifyOverHttp(request, key.key, granted)).body.valid).toBe(true);
      const missing = resources.find((r) => key.permissions![r.id] === 'none')!;
      expect((await verifyOverHttp(request, key.key, { ...granted, [missing.id]: 'read' })).body).toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS', missing: { [missing.id]: 'read' } });
    }
    for (const resource of resources) {
      for (const required of ['read', 'write'] as const) {
        expect((await verifyOverHttp(request, full.key, { [resource.id]: required })).body).toMatchObject({ valid: true, code: 'VALID', permissions: null });
      }
    }
    expect(checked).toBe(resources.length * 2 * keys.length);
    const unknown = await verifyOverHttp(request, full.key, { teleport: 'read' });
    expect(unknown.status).toBe(400);
  });
}
