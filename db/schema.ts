/**
 * Every table of Keyward. Migrations in db/migrations are generated from this file by
 * drizzle-kit (`npm run db:generate`) and never edited by hand.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
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
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_public_id_key').on(t.publicId),
    // One webhook signing key per project, enforced by the database under any concurrency.
    uniqueIndex('api_keys_one_webhook_key').on(t.projectId).where(sql`${t.isWebhookKey}`),
    // The table's three sort orders read one page straight off these indexes.
    index('api_keys_project_created_idx').on(t.projectId, t.createdAt, t.id),
    index('api_keys_project_name_idx').on(t.projectId, t.name, t.id),
    // Most recently used first, never-used last; read backwards for the opposite order.
    index('api_keys_project_last_used_idx').on(t.projectId, t.lastUsedAt.desc().nullsLast(), t.id),
    // "Search keys" is a case-insensitive substring match: trigram GIN serves ILIKE '%q%'.
    index('api_keys_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
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
  (t) => [index('audit_events_project_created_idx').on(t.projectId, t.createdAt)],
);
