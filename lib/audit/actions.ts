/** Every action Keyward records in the audit log; the filter offers them in this order. */
export const AUDIT_ACTIONS = [
  'api_key.created',
  'api_key.updated',
  'api_key.rotated',
  'api_key.deleted',
  'api_key.expiring',
  'api_key.expired',
  'api_key.usage_low',
  'webhook_key.changed',
  'member.added',
  'member.role_changed',
  'member.removed',
  'project.created',
  'project.renamed',
  'user.signed_in',
  'user.signed_out',
  'user.password_set',
  'webhook_endpoint.updated',
  'webhook.test_sent',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
