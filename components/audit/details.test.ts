import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';
import { digaCatalogue as diga, retellCatalogue as retell } from '@/lib/permissions/presets';
import { auditDetails, fieldLabel, permissionsText, type DetailLine } from './details';

/** The lines as the table shows them: "Label: text". */
const read = (action: string, metadata: Record<string, unknown>, catalogue = diga) =>
  auditDetails({ action, metadata }, catalogue).map((line: DetailLine) => `${line.label}: ${line.text}`);

const restricted = (grants: Record<string, string>) =>
  Object.fromEntries(diga.categories.flatMap((category) => category.resources.map((resource) => [resource.id, grants[resource.id] ?? 'none'])));

describe('audit details', () => {
  it('api_key.created: name, permissions by their catalogue labels in catalogue order, expiry in UTC', () => {
    expect(read('api_key.created', { name: 'CRM sync', restricted: true, permissions: restricted({ api_keys: 'read', calls: 'write' }), expiresAt: '2027-01-31T09:05:00.000Z' })).toEqual([
      'Name: CRM sync',
      'Permissions: Calls: Write, API Keys: Read',
      'Expires: Jan 31, 2027, 9:05 AM UTC',
    ]);
    expect(read('api_key.created', { name: 'Root', restricted: false, permissions: null, expiresAt: null })).toEqual(['Name: Root', 'Permissions: Full access', 'Expires: Never']);
    expect(read('api_key.created', { name: 'Nothing', restricted: true, permissions: restricted({}), expiresAt: null })).toContain('Permissions: No access to any resource');
  });

  it('api_key.updated: each changed field as old → new, permissions per resource that changed', () => {
    expect(
      read('api_key.updated', {
        name: { from: 'Old name', to: 'New name' },
        permissions: { from: restricted({ calls: 'read', contacts: 'write' }), to: restricted({ calls: 'write', contacts: 'write', api_keys: 'read' }) },
        expiresAt: { from: null, to: '2027-03-01T00:00:00.000Z' },
      }),
    ).toEqual(['Name: Old name → New name', 'Calls: Read → Write', 'API Keys: No access → Read', 'Expires: Never → Mar 1, 2027, 12:00 AM UTC']);
    // Between full access and restricted, the whole before and after.
    expect(read('api_key.updated', { permissions: { from: null, to: restricted({ calls: 'read' }) } })).toEqual(['Permissions: Full access → Calls: Read']);
    expect(read('api_key.updated', { permissions: { from: restricted({ calls: 'read' }), to: null } })).toEqual(['Permissions: Calls: Read → Full access']);
    expect(read('api_key.updated', { expiresAt: { from: '2027-03-01T00:00:00.000Z', to: null } })).toEqual(['Expires: Mar 1, 2027, 12:00 AM UTC → Never']);
  });

  it('uses the catalogue’s own level labels: Retell says Edit and No Access', () => {
    const from = { agent: 'read', testing: 'none', history: 'none', export: 'none', call: 'none', phone: 'none' };
    const to = { ...from, agent: 'write', call: 'write' };
    expect(read('api_key.updated', { permissions: { from, to } }, retell)).toEqual(['Agent: Read → Edit', 'Call: No Access → Edit']);
    expect(permissionsText(retell, to)).toBe('Agent: Edit, Call: Edit');
  });

  it('api_key.rotated: the grace period in words and when the previous secret stops', () => {
    expect(read('api_key.rotated', { name: 'CRM sync', gracePeriodSeconds: 86_400, previousSecretExpiresAt: '2026-12-05T22:00:00.000Z' })).toEqual([
      'Name: CRM sync',
      'Grace period: 1 day',
      'Previous secret works until: Dec 5, 2026, 10:00 PM UTC',
    ]);
    expect(read('api_key.rotated', { name: 'x', gracePeriodSeconds: 7_200, previousSecretExpiresAt: '2026-12-05T22:00:00.000Z' })).toContain('Grace period: 2 hours');
    expect(read('api_key.rotated', { name: 'x', gracePeriodSeconds: 0, previousSecretExpiresAt: '2026-12-05T22:00:00.000Z' })).toContain(
      'Grace period: None (the previous secret stopped at once)',
    );
  });

  it('a key’s limits in words, as its page says them, and a limit removed as “No limit”', () => {
    const usage = { remaining: 1000, refill: { amount: 1000, interval: 'month' } };
    expect(
      read('api_key.created', { name: 'Partner', allowedAddresses: ['198.18.0.0/15', '2001:db8::/32'], rateLimit: { limit: 100, windowSeconds: 60 }, usage }),
    ).toEqual(['Name: Partner', 'Allowed addresses: 198.18.0.0/15, 2001:db8::/32', 'Rate limit: 100 requests per minute', 'Usage limit: 1,000 uses left, refills 1,000 monthly']);
    expect(
      read('api_key.updated', {
        rateLimit: { from: { limit: 100, windowSeconds: 60 }, to: null },
        usage: { from: null, to: { remaining: 5, refill: null } },
        allowedAddresses: { from: ['192.0.2.1'], to: null },
      }),
    ).toEqual(['Allowed addresses: 192.0.2.1 → No limit', 'Rate limit: 100 requests per minute → No limit', 'Usage limit: No limit → 5 uses left']);
  });

  it('api_key.usage_low: the uses left of the cap, and the next refill', () => {
    expect(read('api_key.usage_low', { name: 'Partner', remaining: 9, cap: 100, refillsAt: '2026-12-05T00:00:00.000Z' })).toEqual(['Name: Partner', 'Remaining: 9', 'Cap: 100', 'Next refill: Dec 5, 2026, 12:00 AM UTC']);
    expect(read('api_key.usage_low', { name: 'Trial', remaining: 0, cap: 50, refillsAt: null })).toEqual(['Name: Trial', 'Remaining: 0', 'Cap: 50', 'Next refill: None']);
  });

  it('api_key.deleted, api_key.expiring and api_key.expired', () => {
    expect(read('api_key.deleted', { name: 'Old', wasWebhookKey: true })).toEqual(['Name: Old', 'Signed the webhooks: Yes']);
    expect(read('api_key.deleted', { name: 'Old', wasWebhookKey: false })).toEqual(['Name: Old', 'Signed the webhooks: No']);
    expect(read('api_key.expiring', { name: 'Soon', daysLeft: 7, expiresAt: '2026-12-11T12:00:00.000Z' })).toEqual(['Name: Soon', 'Days left: 7', 'Expires: Dec 11, 2026, 12:00 PM UTC']);
    expect(read('api_key.expired', { name: 'Gone', daysLeft: 0, expiresAt: '2026-12-04T12:00:00.000Z' })).toEqual(['Name: Gone', 'Days left: 0', 'Expired: Dec 4, 2026, 12:00 PM UTC']);
  });

  it('webhook_key.changed: the new key and the one it replaced', () => {
    expect(read('webhook_key.changed', { name: 'Signer', previousKeyId: 'key_abc' })).toEqual(['Signing key now: Signer', 'Signing key before: key_abc']);
    expect(read('webhook_key.changed', { name: 'Signer', previousKeyId: null })).toEqual(['Signing key now: Signer', 'Signing key before: None']);
  });

  it('member events: email, and roles by name; a role change as old → new', () => {
    expect(read('member.added', { email: 'ana@acme.test', role: 'member', newUser: true })).toEqual(['Email: ana@acme.test', 'Role: Member', 'New user: Yes']);
    expect(read('member.role_changed', { email: 'ana@acme.test', from: 'member', to: 'admin' })).toEqual(['Email: ana@acme.test', 'Role: Member → Admin']);
    expect(read('member.removed', { email: 'ana@acme.test', role: 'admin' })).toEqual(['Email: ana@acme.test', 'Role: Admin']);
  });

  it('project events: a rename as old → new', () => {
    expect(read('project.created', { slug: 'acme', name: 'Acme' })).toEqual(['Name: Acme', 'Slug: acme']);
    expect(read('project.renamed', { from: 'Acme', to: 'Acme Inc.' })).toEqual(['Name: Acme → Acme Inc.']);
    // Half a change is not hidden either.
    expect(read('project.renamed', { to: 'Acme Inc.' })).toEqual(['To: Acme Inc.']);
  });

  it('user events: how they signed in, their session, how a password was set', () => {
    expect(read('user.signed_in', { method: 'sso', sessionId: 's1' })).toEqual(['Method: Single sign-on', 'Session: s1']);
    expect(read('user.signed_in', { method: 'password', sessionId: 's1' })).toEqual(['Method: Password', 'Session: s1']);
    // Sign-ins recorded before the method was.
    expect(read('user.signed_in', { sessionId: 's0' })).toEqual(['Session: s0']);
    expect(read('user.signed_out', { sessionId: 's1' })).toEqual(['Session: s1']);
    expect(read('user.password_set', { email: 'ana@acme.test', via: 'link' })).toEqual(['Email: ana@acme.test', 'Set by: Password link']);
    expect(read('user.password_set', { email: 'ana@acme.test', via: 'cli' })).toEqual(['Email: ana@acme.test', 'Set by: Operator CLI']);
  });

  it('webhook_endpoint.updated: every setting when new, then only what changed (and the URL)', () => {
    const settings = { url: 'https://hooks.acme.test/k', events: ['api_key.created', 'api_key.deleted'], enabled: true };
    expect(read('webhook_endpoint.updated', { ...settings, previous: null })).toEqual(['URL: https://hooks.acme.test/k', 'Events: Key created, Key deleted', 'Enabled: Yes']);
    expect(read('webhook_endpoint.updated', { ...settings, enabled: false, events: ['api_key.created'], previous: settings })).toEqual([
      'URL: https://hooks.acme.test/k',
      'Events: Key created, Key deleted → Key created',
      'Enabled: Yes → No',
    ]);
    expect(read('webhook_endpoint.updated', { ...settings, url: 'https://new.acme.test/', previous: settings })).toEqual(['URL: https://hooks.acme.test/k → https://new.acme.test/']);
    expect(read('webhook_endpoint.updated', { ...settings, previous: settings })).toEqual(['URL: https://hooks.acme.test/k', 'Settings: Unchanged']);
    expect(read('webhook_endpoint.updated', { ...settings, events: [], previous: null })).toContain('Events: None');
  });

  it('webhook.test_sent: where it went and its message id', () => {
    expect(read('webhook.test_sent', { messageId: 'msg_1', url: 'https://hooks.acme.test/k' })).toEqual(['URL: https://hooks.acme.test/k', 'Message ID: msg_1']);
  });

  it('shows every field no reader knows, unclipped: unknown actions, older and newer fields', () => {
    const longUrl = `https://hooks.acme.test/${'x'.repeat(300)}`;
    expect(read('api_key.deleted', { name: 'Old', wasWebhookKey: false, reason: { from: 'a', to: 'b' }, note: longUrl })).toEqual([
      'Name: Old',
      'Signed the webhooks: No',
      'Reason: a → b',
      `Note: ${longUrl}`,
    ]);
    expect(read('something.new', { someField: [1, 2], flag: false, nested: { a: 1 }, empty: '' })).toEqual([
      'Some field: 1, 2',
      'Flag: No',
      'Nested: {"a":1}',
      'Empty: (empty)',
    ]);
    // A shape a reader does not expect falls back to the value as it is.
    expect(read('api_key.created', { name: 'x', permissions: 'odd', expiresAt: 12 })).toEqual(['Name: x', 'Permissions: odd', 'Expires: 12']);
    // A resource the catalogue no longer has keeps its id.
    expect(permissionsText(diga, { calls: 'read', teleport: 'write' })).toBe('Calls: Read, teleport: Write');
    expect(read('user.signed_out', {})).toEqual([]);
    expect(fieldLabel('previousSecretExpiresAt')).toBe('Previous secret expires at');
    expect(fieldLabel('was_webhook_key')).toBe('Was webhook key');
  });

  it('has a reader for every action Keyward records: each known field is read, none left to the fallback', () => {
    const samples: Record<(typeof AUDIT_ACTIONS)[number], Record<string, unknown>> = {
      'api_key.created': { name: 'n', restricted: false, permissions: null, expiresAt: null, allowedAddresses: null, rateLimit: null, usage: null },
      'api_key.updated': { name: { from: 'a', to: 'b' }, rateLimit: { from: null, to: { limit: 1, windowSeconds: 1 } } },
      'api_key.rotated': { name: 'n', gracePeriodSeconds: 3600, previousSecretExpiresAt: '2026-12-05T00:00:00.000Z' },
      'api_key.deleted': { name: 'n', wasWebhookKey: false },
      'api_key.expiring': { name: 'n', daysLeft: 1, expiresAt: '2026-12-05T00:00:00.000Z' },
      'api_key.expired': { name: 'n', daysLeft: 0, expiresAt: '2026-12-05T00:00:00.000Z' },
      'api_key.usage_low': { name: 'n', remaining: 9, cap: 100, refillsAt: null },
      'webhook_key.changed': { name: 'n', previousKeyId: null },
      'member.added': { email: 'e', role: 'admin', newUser: false },
      'member.role_changed': { email: 'e', from: 'admin', to: 'member' },
      'member.removed': { email: 'e', role: 'member' },
      'project.created': { slug: 's', name: 'n' },
      'project.renamed': { from: 'a', to: 'b' },
      'user.signed_in': { method: 'password', sessionId: 's' },
      'user.signed_out': { sessionId: 's' },
      'user.password_set': { email: 'e', via: 'cli' },
      'webhook_endpoint.updated': { url: 'u', events: [], enabled: false, previous: null },
      'webhook.test_sent': { messageId: 'm', url: 'u' },
    };
    for (const action of AUDIT_ACTIONS) {
      const lines = auditDetails({ action, metadata: samples[action] }, diga);
      expect(lines.length, action).toBeGreaterThan(0);
      expect(lines.filter((line) => line.unread), action).toEqual([]);
    }
    expect(auditDetails({ action: 'something.new', metadata: { a: 1 } }, diga)).toEqual([{ label: 'A', text: '1', unread: true }]);
  });
});
