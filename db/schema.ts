/**
 * Every table of Keyward. Migrations in db/migrations are generated from this file by
 * drizzle-kit (`npm run db:generate`) and never edited by hand.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Grants } from '@/lib/permissions/grants';

export const roleEnum = pgEnum('role', ['admin', 'member']);
export type Role = (typeof roleEnum.enumValues)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Stored lower-cased and trimmed; the unique index below is what keeps one account per address.
    email: text('email').notNull(),
    name: text('name').notNull(),
    // Null for users who only sign in through single sign-on.
    passwordHash: text('password_hash'),
    // Sessions signed in before this moment are void (set when the password is set or reset).
    sessionsValidFrom: timestamp('sessions_valid_from', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

/**
 * Sessions ended by signing out (lib/auth/revoked-sessions.ts): the id each session's cookie
 * carries, kept until no copy of that cookie can still be valid.
 */
export const revokedSessions = pgTable(
  'revoked_sessions',
  {
    sessionId: text('session_id').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('revoked_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * Single-use links to set a password, for users an administrator added to a team. Only the
 * SHA-256 of the token is stored; the link is shown once to the administrator.
 */
export const passwordTokens = pgTable(
  'password_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('password_tokens_hash_key').on(t.tokenHash), index('password_tokens_user_idx').on(t.userId)],
);

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('projects_slug_key').on(t.slug)],
);

export const memberships = pgTable(
  'memberships',
  {
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: roleEnum('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.userId] }),
    // The project switcher lists a user's projects on every page.
    index('memberships_user_idx').on(t.userId),
  ],
);

// Stored with fillfactor 70 (migration 0019, which drizzle does not model): the limits exchange
// and last-used notes update rows in place, and the room left on each page keeps those updates
// off the indexes.
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // `key_…`, shown in the table and used in URLs; always looked up together with project_id.
    publicId: text('public_id').notNull(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    start: text('start').notNull(),
    last4: text('last4').notNull(),
    // Null is full access; otherwise every catalogue resource's level at the time of writing.
    permissions: jsonb('permissions').$type<Grants>(),
    isWebhookKey: boolean('is_webhook_key').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    // The client address of that use: the one a verify call reported, else the caller's own.
    lastUsedAddress: text('last_used_address'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    // How far the expiry notices have gone (lib/keys/expiry-notices.ts): 0 none, 1 "in 7 days", 2 "in
    // 1 day", 3 expired. Each step is claimed by one UPDATE, so each notice goes out once across nodes.
    expiryNotice: smallint('expiry_notice').notNull().default(0),
    // Limits (lib/limits), each optional. Allowed client addresses: canonical addresses and CIDR ranges.
    allowedAddresses: text('allowed_addresses').array(),
    // A rate limit: rate_limit requests per rate_limit_window_seconds, shared by every node.
    rateLimit: integer('rate_limit'),
    rateLimitWindowSeconds: integer('rate_limit_window_seconds'),
    // A usage cap: uses left (spent by every node's exchange), refilled to usage_refill_amount at the
    // start of each UTC day or month; usage_cap is the count the "running low" notice is a tenth of.
    usageRemaining: bigint('usage_remaining', { mode: 'number' }),
    usageCap: bigint('usage_cap', { mode: 'number' }),
    usageRefillAmount: bigint('usage_refill_amount', { mode: 'number' }),
    usageRefillInterval: text('usage_refill_interval').$type<'day' | 'month'>(),
    usageRefilledAt: timestamp('usage_refilled_at', { withTimezone: true }),
    // When api_key.usage_low was claimed for the current cap (lib/limits/notices.ts): null, or before
    // the current refill period began, means not yet. Setting the key's uses clears it.
    usageLowNoticedAt: timestamp('usage_low_noticed_at', { withTimezone: true }),
    // The refusal the last api_key.rate_limited reported: the next needs a later window and 5 minutes.
    rateLimitedNoticedAt: timestamp('rate_limited_noticed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_public_id_key').on(t.publicId),
    // One webhook signing key per project, enforced by the database under any concurrency.
    uniqueIndex('api_keys_one_webhook_key').on(t.projectId).where(sql`${t.isWebhookKey}`),
    // The table's three sort orders read one page straight off these indexes, and "Next page"
    // seeks to the row after the last one shown (lib/keys/list.ts): 0.1 ms at any depth.
    index('api_keys_project_created_idx').on(t.projectId, t.createdAt, t.id),
    index('api_keys_project_name_idx').on(t.projectId, t.name, t.id),
    // Never-used keys sort as the least recent: a sort key without NULLs, so a seek is one row
    // comparison. The trailing last_used_at (id is unique: it never orders anything) is there
    // so a deep OFFSET stays an index-only scan; drizzle has no INCLUDE.
    index('api_keys_project_last_used_idx').on(t.projectId, sql`coalesce(${t.lastUsedAt}, '-infinity'::timestamptz)`, t.id, t.lastUsedAt),
    // "Search keys" is a case-insensitive substring match: trigram GIN serves ILIKE '%q%'.
    index('api_keys_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
    // …and with the project's uuid beside the trigrams (btree_gin), a search of a small project in
    // a large table reads that project's share of the posting lists: "Checkout" in 50,000 keys
    // beside a million others, 0.7 ms instead of 8. For a project that fills the table the
    // planner mostly keeps the index above: there its own posting list would cost more than it saves.
    index('api_keys_project_name_trgm_idx').using('gin', t.projectId, sql`${t.name} gin_trgm_ops`),
    // …and a search too short for a trigram whose pieces are rare ("xq", "%") finds its names by
    // their one- and two-character pieces (migration 0005), not by a scan of the project: at a
    // million keys, "xq" takes 2.6 ms a page instead of 330 ms.
    index('api_keys_name_grams_idx').using('gin', sql`keyward_name_grams(${t.name})`),
    // The expiry notices' sweep and the "expire within 7 days" banner read only keys that expire.
    index('api_keys_expiring_idx').on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
  ],
);

export const apiKeySecrets = pgTable(
  'api_key_secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    apiKeyId: uuid('api_key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    // SHA-256 hex of the whole key: verification is one lookup on this unique index.
    hash: text('hash').notNull(),
    // AES-256-GCM under KEYWARD_ENCRYPTION_KEY; needed only to sign webhooks with this key.
    ciphertext: text('ciphertext').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    // Set on the old secret when a rotation leaves a grace period; null while current.
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_key_secrets_hash_key').on(t.hash), index('api_key_secrets_key_idx').on(t.apiKeyId)],
);

/** Key counts per project, kept in the same transaction as every create and delete. */
export const projectKeyCounts = pgTable('project_key_counts', {
  projectId: uuid('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  // "Page X of Y" reads this instead of counting a million rows.
  keyCount: bigint('key_count', { mode: 'number' }).notNull().default(0),
});

export const actorTypeEnum = pgEnum('actor_type', ['user', 'api_key', 'system']);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    actorType: actorTypeEnum('actor_type').notNull(),
    actorId: text('actor_id'),
    // Who it was at the time (an email, a key's name): kept when the actor is later deleted.
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    clientAddress: text('client_address'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_events_project_created_idx').on(t.projectId, t.createdAt),
    // A key's page lists its own history (and the log's ?key= filter): newest first, found
    // directly rather than by walking the project's whole log.
    index('audit_events_target_created_idx').on(t.projectId, t.targetType, t.targetId, t.createdAt),
  ],
);

/** Where a project's webhooks go: at most one endpoint per project. */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  projectId: uuid('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  // Event types this endpoint receives (lib/webhooks/events.ts); the test event is always sent.
  events: text('events').array().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const webhookDeliveryStatusEnum = pgEnum('webhook_delivery_status', ['pending', 'delivered', 'failed', 'no_webhook_key', 'canceled']);
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatusEnum.enumValues)[number];

/**
 * The webhook outbox: one row per event, written in the transaction of the change it reports,
 * then sent (and retried) by any number of dispatchers (lib/webhooks/dispatcher.ts).
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    // The `webhook-id` header: the same on every attempt, so receivers can drop duplicates.
    messageId: text('message_id').notNull(),
    // The exact body sent (and signed) on every attempt; never holds a secret.
    payload: text('payload').notNull(),
    status: webhookDeliveryStatusEnum('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    // When a pending delivery is next due; a dispatcher's claim pushes it forward as a lease.
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).defaultNow(),
    // Set by the claim that owns the current attempt; a late writer with an old token changes nothing.
    leaseToken: uuid('lease_token'),
    // Retries stop this long after the first attempt (KEYWARD_WEBHOOK_RETRY_HOURS).
    firstAttemptAt: timestamp('first_attempt_at', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    lastStatusCode: integer('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    // The first bytes of the last response, for the console.
    responseBody: text('response_body'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_message_id_key').on(t.messageId),
    // Dispatchers poll for due rows: only pending ones are in this index, so it stays small.
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // Rows waiting for a webhook key, found by project when one is chosen.
    index('webhook_deliveries_waiting_idx').on(t.projectId).where(sql`${t.status} = 'no_webhook_key'`),
    // The console's list, newest first, one page at a time.
    index('webhook_deliveries_project_created_idx').on(t.projectId, t.createdAt, t.id),
  ],
);

export const usageGranularityEnum = pgEnum('usage_granularity', ['minute', 'hour', 'day']);
export type UsageGranularity = (typeof usageGranularityEnum.enumValues)[number];

/**
 * Verifications counted per key, per period, per outcome code (lib/usage). Nodes add their
 * in-memory counts with one INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count per
 * flush, so several nodes writing one period sum. Each count is written at every grain — its
 * minute, hour and day rows — so a read asks for the coarsest rows that answer it; minute rows are
 * kept 48 hours, hour rows 90 days, day rows 400 (lib/usage/rollup.ts). No foreign keys: a count
 * is a record of what happened, and a flush must never fail because a key was deleted in the
 * meantime; rows of deleted keys leave with retention.
 */
export const keyUsage = pgTable(
  'key_usage',
  {
    apiKeyId: uuid('api_key_id').notNull(),
    projectId: uuid('project_id').notNull(),
    granularity: usageGranularityEnum('granularity').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    code: text('code').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [
    // A key's page reads its own rows by time.
    primaryKey({ columns: [t.apiKeyId, t.periodStart, t.granularity, t.code] }),
    // The usage page's top keys sum a project's rows of one grain over a range (not the minute
    // rows in between, of which there are sixty times more), from this index alone: the key, code
    // and count are in it, so the scan never visits the table, where those rows lie scattered.
    index('key_usage_project_grain_period_idx').on(t.projectId, t.granularity, t.periodStart, t.apiKeyId, t.code, t.count),
    // Retention drops each grain's rows by age.
    index('key_usage_granularity_period_idx').on(t.granularity, t.periodStart),
  ],
);

/**
 * The same counts summed over each project's keys, written by the same statement: the usage
 * page's chart reads a handful of rows per period here instead of one per key. Kept like key_usage.
 */
export const projectUsage = pgTable(
  'project_usage',
  {
    projectId: uuid('project_id').notNull(),
    granularity: usageGranularityEnum('granularity').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    code: text('code').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.granularity, t.periodStart, t.code] }),
    index('project_usage_granularity_period_idx').on(t.granularity, t.periodStart),
  ],
);

/**
 * Rate-limit windows shared by every node (lib/limits/exchange.ts): one row per rate-limited key in
 * use and window length (an edited length starts a row of its own), updated in place by each
 * node's exchange — the window it was last counted in (ms since the epoch), that window's total
 * and the previous window's. No foreign key, like key_usage (an exchange carrying a key deleted
 * meanwhile must still go through); rows whose window and the next are over leave with the
 * exchanges' pruning. Filled to 70% (migration 0020), like api_keys: its rows are rewritten twice a
 * second and no indexed column changes, so the new version stays on its page.
 */
export const rateLimitWindows = pgTable(
  'rate_limit_windows',
  {
    apiKeyId: uuid('api_key_id').notNull(),
    windowMs: integer('window_ms').notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
    previous: bigint('previous', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.windowMs] })],
);

/** One key of a stored ranking: its list, its internal id, and its counts over the range. */
export type RankedKey = { list: 'volume' | 'refusals'; apiKeyId: string; total: number; refused: number };

/**
 * Settings › Usage's top keys, per project and range of the console's switch, kept so that a view
 * reads a row instead of summing every key's counts (lib/usage/rankings.ts). Each flush of counts
 * adds one to `version` of its projects' rows in the same statement; a ranking answers only while
 * it was computed at the current version and for the current window, else it is computed again.
 */
export const usageRankings = pgTable(
  'usage_rankings',
  {
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    range: text('range').notNull(),
    // Bumped by every flush that counts for the project.
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    // The version and window `keys` were computed at; -1: never.
    computedVersion: bigint('computed_version', { mode: 'number' }).notNull().default(-1),
    windowFrom: timestamp('window_from', { withTimezone: true }),
    keys: jsonb('keys').$type<RankedKey[]>().notNull().default([]),
    computedAt: timestamp('computed_at', { withTimezone: true }),
    // Rankings viewed lately are kept current in the background.
    viewedAt: timestamp('viewed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.range] })],
);
