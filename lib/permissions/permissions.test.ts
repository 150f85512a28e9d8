import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { levelsOf, resourcesOf, satisfies } from './catalogue';
import { allows, isWithin, levelOn, normalizeGrants, permissionsInput } from './grants';
import { CatalogueError, loadCatalogue } from './load';
import { digaCatalogue, retellCatalogue } from './presets';

describe('the presets', () => {
  it('reproduce Diga: 19 resources in 4 categories, No access / Read / Write, fixed after creation', () => {
    expect(digaCatalogue.categories.map((c) => [c.label, c.resources.length])).toEqual([
      ['Communication', 4],
      ['Agent configuration', 7],
      ['Contacts and data', 3],
      ['Administration', 5],
    ]);
    expect(resourcesOf(digaCatalogue).map((r) => r.id)).toEqual([
      'calls', 'messages', 'transcriptions', 'recordings', 'agents', 'conversational_paths', 'knowledge_bases', 'tools', 'voices',
      'integrations', 'webhooks', 'contacts', 'statistics', 'verifications', 'phones', 'members', 'billing', 'api_keys', 'notifications',
    ]);
    expect(digaCatalogue.levelLabels).toEqual({ none: 'No access', read: 'Read', write: 'Write' });
    expect(digaCatalogue.editableAfterCreation).toBe(false);
    expect(resourcesOf(digaCatalogue).every((r) => !r.actionOnly)).toBe(true);
  });

  it('reproduce Retell: Build, Monitor, Deploy; Export and Call action-only; Edit; editable', () => {
    expect(retellCatalogue.categories.map((c) => [c.label, c.resources.map((r) => r.label)])).toEqual([
      ['Build', ['Agent', 'Testing']],
      ['Monitor', ['History', 'Export']],
      ['Deploy', ['Call', 'Phone']],
    ]);
    expect(resourcesOf(retellCatalogue).filter((r) => r.actionOnly).map((r) => r.id)).toEqual(['export', 'call']);
    expect(levelsOf({ actionOnly: true })).toEqual(['none', 'write']);
    expect(retellCatalogue.levelLabels.write).toBe('Edit');
    expect(retellCatalogue.editableAfterCreation).toBe(true);
  });
});

describe('grants', () => {
  it('write implies read, and unknown resources are denied even to full access', () => {
    expect(satisfies('write', 'read')).toBe(true);
    expect(satisfies('read', 'write')).toBe(false);
    expect(allows(digaCatalogue, null, 'calls', 'write')).toBe(true);
    expect(allows(digaCatalogue, null, 'nuclear_codes', 'read')).toBe(false);
    expect(allows(digaCatalogue, { calls: 'write' }, 'calls', 'read')).toBe(true);
    expect(allows(digaCatalogue, { calls: 'read' }, 'calls', 'write')).toBe(false);
  });

  it('gives resources added to the catalogue later No access on restricted keys', () => {
    const stored = { calls: 'read' as const };
    expect(levelOn(digaCatalogue, stored, 'messages')).toBe('none');
    expect(normalizeGrants(digaCatalogue, stored)).toMatchObject({ calls: 'read', messages: 'none', api_keys: 'none' });
  });

  it('refuses unknown resources and levels a resource does not allow, naming them', () => {
    const schema = permissionsInput(retellCatalogue);
    expect(schema.parse(undefined)).toBeUndefined();
    expect(schema.parse(null)).toBeNull();
    expect(schema.parse({ agent: 'read' })).toMatchObject({ agent: 'read', export: 'none' });
    const bad = schema.safeParse({ export: 'read', teleport: 'write', agent: 'admin' });
    expect(bad.success).toBe(false);
    const messages = Object.fromEntries(bad.error!.issues.map((issue) => [issue.path.join('.'), issue.message]));
    expect(messages).toEqual({
      export: 'Export allows only: No Access, Edit.',
      teleport: 'Unknown resource "teleport".',
      agent: 'Agent allows only: No Access, Read, Edit.',
    });
  });

  it('never lets a grant exceed its holder', () => {
    const holder = normalizeGrants(digaCatalogue, { calls: 'write', api_keys: 'write' });
    expect(isWithin(digaCatalogue, normalizeGrants(digaCatalogue, { calls: 'read' }), holder)).toBe(true);
    expect(isWithin(digaCatalogue, normalizeGrants(digaCatalogue, { messages: 'read' }), holder)).toBe(false);
    expect(isWithin(digaCatalogue, null, holder)).toBe(false);
    expect(isWithin(digaCatalogue, null, null)).toBe(true);
  });
});

describe('KEYWARD_PERMISSIONS', () => {
  const write = (json: unknown) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'keyward-catalogue-')), 'catalogue.json');
    writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
    return file;
  };

  it('chooses a preset by name', () => {
    expect(loadCatalogue(undefined).id).toBe('diga');
    expect(loadCatalogue('retell').id).toBe('retell');
  });

  it('loads a deployment’s own catalogue file', () => {
    const own = { ...retellCatalogue, id: 'acme', name: 'Acme' };
    expect(loadCatalogue(write(own))).toMatchObject({ id: 'acme', editableAfterCreation: true });
  });

  it('stops with a message naming the bad field', () => {
    const bad = structuredClone(digaCatalogue) as unknown as { categories: { resources: { id: string }[] }[] };
    bad.categories[1]!.resources[2]!.id = 'Knowledge Bases';
    expect(() => loadCatalogue(write(bad))).toThrow(CatalogueError);
    expect(() => loadCatalogue(write(bad))).toThrow(/categories\.1\.resources\.2\.id: must be snake_case/);
    expect(() => loadCatalogue(write('{ not json'))).toThrow(/is not valid JSON/);
    expect(() => loadCatalogue('/no/such/catalogue.json')).toThrow(/neither a preset .* nor a readable file/);
    const duplicate = structuredClone(digaCatalogue);
    duplicate.categories[0]!.resources[1]!.id = 'calls';
    expect(() => loadCatalogue(write(duplicate))).toThrow(/duplicate resource id "calls"/);
  });
});
