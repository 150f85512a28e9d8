/**
 * An audit event's details as lines people read: "Name: old → new" for what changed, permissions
 * by the catalogue's labels ("API Keys: Read"), times in UTC like the rest of the log, roles and
 * webhook events by their names in the console. Every action's metadata has a reader here; a
 * field no reader knows (an older or newer event) still shows, as "Field name: value", so
 * nothing recorded is ever hidden. Pure: the table and the key page's History render it, and the
 * CSV export keeps the raw JSON (lib/audit/list.ts).
 */
import { rateLimitText, usageText } from '@/components/api-keys/limit-text';
import type { AuditEventJson } from '@/lib/audit/list';
import type { RateLimitJson, UsageJson } from '@/lib/limits/schemas';
import { findResource, LEVELS, resourcesOf, type Catalogue, type Level } from '@/lib/permissions/catalogue';
import { EVENT_LABELS } from '@/lib/webhooks/events';

/** `unread`: a field no reader knows, shown as recorded. */
export type DetailLine = { label: string; text: string; unread?: true };

const ARROW = ' → ';
const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

type Value = unknown;
type Change = { from: Value; to: Value };

const isRecord = (value: Value): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isChange = (value: Value): value is Change => isRecord(value) && 'from' in value && 'to' in value && Object.keys(value).length === 2;

/** Any value as text: the fallback for fields and shapes no reader knows. */
export function plain(value: Value): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'None' : value.map(plain).join(', ');
  return JSON.stringify(value);
}

/** "expiresAt" → "Expires at", "was_webhook_key" → "Was webhook key". */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function time(value: Value, none = 'Never'): string {
  if (value === null || value === undefined) return none;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return plain(value);
  return `${timeFormat.format(new Date(value))} UTC`;
}

function duration(value: Value): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return plain(value);
  if (value === 0) return 'None (the previous secret stopped at once)';
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const [size, unit] = units.find(([size]) => value % size === 0)!;
  const count = value / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

const role = (value: Value) => (value === 'admin' ? 'Admin' : value === 'member' ? 'Member' : plain(value));
const yesNo = (value: Value) => (typeof value === 'boolean' ? (value ? 'Yes' : 'No') : plain(value));
const eventName = (value: Value) => (typeof value === 'string' && value in EVENT_LABELS ? EVENT_LABELS[value as keyof typeof EVENT_LABELS] : plain(value));
const events = (value: Value) => (Array.isArray(value) ? (value.length === 0 ? 'None' : value.map(eventName).join(', ')) : plain(value));

function levelLabel(catalogue: Catalogue, level: Value): string {
  return typeof level === 'string' && (LEVELS as readonly string[]).includes(level) ? catalogue.levelLabels[level as Level] : plain(level);
}

function resourceLabel(catalogue: Catalogue, id: string): string {
  return findResource(catalogue, id)?.label ?? id;
}

/** Resource ids of a grants map in catalogue order, then any the catalogue no longer has. */
function resourceIds(catalogue: Catalogue, ...maps: Record<string, unknown>[]): string[] {
  const known = resourcesOf(catalogue).map((resource) => resource.id);
  const all = new Set(maps.flatMap((map) => Object.keys(map)));
  return [...known.filter((id) => all.has(id)), ...[...all].filter((id) => !known.includes(id))];
}

/** "Full access", or the resources granted with their levels: "Calls: Read, API Keys: Write". */
export function permissionsText(catalogue: Catalogue, permissions: Value): string {
  if (permissions === null) return 'Full access';
  if (!isRecord(permissions)) return plain(permissions);
  const granted = resourceIds(catalogue, permissions).filter((id) => permissions[id] !== 'none');
  if (granted.length === 0) return 'No access to any resource';
  return granted.map((id) => `${resourceLabel(catalogue, id)}: ${levelLabel(catalogue, permissions[id])}`).join(', ');
}

/** Between two restricted sets, one line per resource that changed; else the whole before and after. */
function permissionsChange(catalogue: Catalogue, change: Change): DetailLine[] {
  const { from, to } = change;
  if (isRecord(from) && isRecord(to)) {
    const changed = resourceIds(catalogue, from, to).filter((id) => (from[id] ?? 'none') !== (to[id] ?? 'none'));
    if (changed.length === 0) return [{ label: 'Permissions', text: 'Unchanged' }];
    return changed.map((id) => ({
      label: resourceLabel(catalogue, id),
      text: `${levelLabel(catalogue, from[id] ?? 'none')}${ARROW}${levelLabel(catalogue, to[id] ?? 'none')}`,
    }));
  }
  return [{ label: 'Permissions', text: `${permissionsText(catalogue, from)}${ARROW}${permissionsText(catalogue, to)}` }];
}

type Format = (value: Value) => string;
/** How one field of one action reads: its label and its format, or lines of its own. */
type FieldReader = { label: string; format?: Format } | ((value: Value, catalogue: Catalogue) => DetailLine[]);

const name: FieldReader = { label: 'Name' };

// A key's limits in the words of its page ("100 requests per minute"); none is "No limit".
const isRateLimit = (value: Value): value is RateLimitJson => isRecord(value) && typeof value.limit === 'number' && typeof value.windowSeconds === 'number';
const isUsage = (value: Value): value is UsageJson => isRecord(value) && typeof value.remaining === 'number' && (value.refill === null || isRecord(value.refill));
const noLimit = (read: (value: Value) => string | undefined): Format => (value) => (value === null ? 'No limit' : (read(value) ?? plain(value)));
const LIMIT_FIELDS = {
  allowedAddresses: { label: 'Allowed addresses', format: noLimit((value) => (Array.isArray(value) ? value.map(plain).join(', ') : undefined)) },
  rateLimit: { label: 'Rate limit', format: noLimit((value) => (isRateLimit(value) ? rateLimitText(value) : undefined)) },
  usage: { label: 'Usage limit', format: noLimit((value) => (isUsage(value) ? usageText(value, null) : undefined)) },
} satisfies Record<string, { label: string; format: Format }>;
const email: FieldReader = { label: 'Email' };

const permissionsField: FieldReader = (value, catalogue) =>
  isChange(value) ? permissionsChange(catalogue, value) : [{ label: 'Permissions', text: permissionsText(catalogue, value) }];

const ENDPOINT_FIELDS = {
  url: { label: 'URL', format: plain },
  events: { label: 'Events', format: events },
  enabled: { label: 'Enabled', format: yesNo },
} satisfies Record<string, { label: string; format: Format }>;

/** The fields each action records, in the order they read best. */
const READERS: Record<string, Record<string, FieldReader>> = {
  'api_key.created': {
    name,
    permissions: permissionsField,
    // Said by the permissions line already.
    restricted: () => [],
    expiresAt: { label: 'Expires', format: (value) => time(value) },
    ...LIMIT_FIELDS,
  },
  'api_key.updated': {
    name,
    permissions: permissionsField,
    expiresAt: { label: 'Expires', format: (value) => time(value) },
    ...LIMIT_FIELDS,
  },
  'api_key.rotated': {
    name,
    gracePeriodSeconds: { label: 'Grace period', format: duration },
    previousSecretExpiresAt: { label: 'Previous secret works until', format: (value) => time(value) },
  },
  'api_key.deleted': { name, wasWebhookKey: { label: 'Signed the webhooks', format: yesNo } },
  'api_key.expiring': { name, daysLeft: { label: 'Days left' }, expiresAt: { label: 'Expires', format: (value) => time(value) } },
  'api_key.expired': { name, daysLeft: { label: 'Days left' }, expiresAt: { label: 'Expired', format: (value) => time(value) } },
  'api_key.usage_low': { name, remaining: { label: 'Remaining' }, cap: { label: 'Cap' }, refillsAt: { label: 'Next refill', format: (value) => time(value, 'None') } },
  // Not “webhook key”: the badge's name, which must resolve once on the key page (DESIGN's console contract).
  'webhook_key.changed': { name: { label: 'Signing key now' }, previousKeyId: { label: 'Signing key before', format: (value) => (value === null ? 'None' : plain(value)) } },
  'member.added': { email, role: { label: 'Role', format: role }, newUser: { label: 'New user', format: yesNo } },
  'member.role_changed': { email },
  'member.removed': { email, role: { label: 'Role', format: role } },
  'project.created': { name, slug: { label: 'Slug' } },
  'project.renamed': {},
  'user.signed_in': { method: { label: 'Method', format: (value) => (value === 'sso' ? 'Single sign-on' : value === 'password' ? 'Password' : plain(value)) }, sessionId: { label: 'Session' } },
  'user.signed_out': { sessionId: { label: 'Session' } },
  'user.password_set': { email, via: { label: 'Set by', format: (value) => (value === 'link' ? 'Password link' : value === 'cli' ? 'Operator CLI' : plain(value)) } },
  'webhook_endpoint.updated': { ...ENDPOINT_FIELDS, previous: () => [] },
  'webhook.test_sent': { url: { label: 'URL' }, messageId: { label: 'Message ID' } },
};

/** Actions whose metadata is one change as top-level `from` and `to`: what changed, named. */
const TOP_LEVEL_CHANGE: Record<string, { label: string; format: Format }> = {
  'member.role_changed': { label: 'Role', format: role },
  'project.renamed': { label: 'Name', format: plain },
};

/**
 * The endpoint's settings against what they were: what changed, and the URL for context when it
 * did not. Null when there was no endpoint before (every setting is then new, read as usual).
 */
function endpointLines(metadata: Record<string, unknown>): DetailLine[] | null {
  const previous = metadata.previous;
  if (!isRecord(previous)) return null;
  const lines: DetailLine[] = [];
  let changed = false;
  for (const [field, { label, format }] of Object.entries(ENDPOINT_FIELDS)) {
    const [before, after] = [format(previous[field]), format(metadata[field])];
    if (before !== after) lines.push({ label, text: `${before}${ARROW}${after}` });
    else if (field === 'url') lines.push({ label, text: after });
    changed ||= before !== after;
  }
  return changed ? lines : [...lines, { label: 'Settings', text: 'Unchanged' }];
}

function readField(reader: FieldReader, value: Value, catalogue: Catalogue): DetailLine[] {
  if (typeof reader === 'function') return reader(value, catalogue);
  const format = reader.format ?? plain;
  if (isChange(value)) return [{ label: reader.label, text: `${format(value.from)}${ARROW}${format(value.to)}` }];
  return [{ label: reader.label, text: format(value) }];
}

export function auditDetails(event: Pick<AuditEventJson, 'action' | 'metadata'>, catalogue: Catalogue): DetailLine[] {
  const metadata = isRecord(event.metadata) ? event.metadata : {};
  const readers = READERS[event.action] ?? {};
  const lines: DetailLine[] = [];
  const endpoint = event.action === 'webhook_endpoint.updated' ? endpointLines(metadata) : null;
  if (endpoint) lines.push(...endpoint);
  for (const [field, reader] of Object.entries(readers)) {
    // The endpoint's lines above already read its settings.
    if (!(field in metadata) || (endpoint && field in ENDPOINT_FIELDS)) continue;
    lines.push(...readField(reader, metadata[field], catalogue));
  }
  const topLevel = TOP_LEVEL_CHANGE[event.action];
  const changeRead = Boolean(topLevel) && 'from' in metadata && 'to' in metadata;
  if (topLevel && changeRead) lines.push({ label: topLevel.label, text: `${topLevel.format(metadata.from)}${ARROW}${topLevel.format(metadata.to)}` });
  // Whatever no reader knows still shows.
  for (const [field, value] of Object.entries(metadata)) {
    if (field in readers || (changeRead && (field === 'from' || field === 'to'))) continue;
    lines.push(...readField({ label: fieldLabel(field) }, value, catalogue).map((line) => ({ ...line, unread: true as const })));
  }
  return lines;
}
