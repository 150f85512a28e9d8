/**
 * The shapes of key input, shared by the console's forms, the server actions and the REST API.
 * Built from the active catalogue, because which resources and levels exist is deployment data.
 */
import { z } from 'zod';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { limitFields, type LimitInput } from '@/lib/limits/schemas';
import { permissionsInput } from '@/lib/permissions/grants';
import { PAGE_SIZES, SORTS } from './list-options';

// Control characters and bidirectional overrides make a name display as something it is not.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export const keyNameSchema = z
  .string({ error: 'Name is required.' })
  .trim()
  .min(1, 'Name is required.')
  .max(100, 'Name must be at most 100 characters.')
  .refine((name) => !UNSAFE_CHARACTERS.test(name), 'Name cannot contain control or text-direction characters.');

export const MAX_EXPIRY_DAYS = 3650;

/** An ISO 8601 time in the future (and within ten years), or null/absent for "never". */
export function expiresAtSchema(now: () => Date = () => new Date()) {
  return z
    .union([z.iso.datetime({ offset: true, error: 'Expiry must be an ISO 8601 date and time.' }), z.null()])
    .optional()
    .transform((value) => (value ? new Date(value) : null))
    .refine((date) => date === null || date.getTime() > now().getTime(), 'Expiry must be in the future.')
    .refine(
      (date) => date === null || date.getTime() <= now().getTime() + MAX_EXPIRY_DAYS * 86_400_000,
      `Expiry must be within ${MAX_EXPIRY_DAYS / 365} years.`,
    );
}

export function createKeyInput(catalogue: Catalogue, now?: () => Date) {
  return z.strictObject({
    name: keyNameSchema,
    expiresAt: expiresAtSchema(now),
    permissions: permissionsInput(catalogue),
    ...limitFields,
  });
}
export type CreateKeyInput = { name: string; expiresAt?: string | null; permissions?: Record<string, string> | null } & LimitInput;

/** An edit: absent fields stay as they are; `expiresAt: null` removes the expiry. */
export function updateKeyInput(catalogue: Catalogue, now?: () => Date) {
  return z
    .strictObject({ name: keyNameSchema.optional(), expiresAt: expiresAtSchema(now).optional(), permissions: permissionsInput(catalogue), ...limitFields })
    .refine(
      (input) => Object.values(input).some((value) => value !== undefined),
      'Nothing to change: give a name, an expiry, permissions or limits.',
    );
}
export type UpdateKeyInput = { name?: string; expiresAt?: string | null; permissions?: Record<string, string> | null } & LimitInput;

export const GRACE_PERIOD_CHOICES = [
  { seconds: 0, label: 'Immediately' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
] as const;

// A number, not coerced: over the REST API `null`, `""` or `false` would otherwise mean 0, an
// immediate revocation of the old secret.
export const rotateKeyInput = z.strictObject({
  gracePeriodSeconds: z
    .number({ error: 'Grace period must be a number of seconds.' })
    .int('Grace period must be a whole number of seconds.')
    .min(0, 'Grace period cannot be negative.')
    .max(30 * 86_400, 'Grace period can be at most 30 days.'),
});
export type RotateKeyInput = z.input<typeof rotateKeyInput>;

export { PAGE_SIZES, SORTS };

/**
 * `expiring=7d`: only keys that expire within that many days and have not yet (lib/keys/expiring.ts).
 * Parsed to the number of days.
 */
export const expiringDaysSchema = z
  .string()
  .regex(/^[1-9]\d{0,3}d$/, 'expiring must be a whole number of days followed by d, such as 7d.')
  .transform((value) => Number.parseInt(value, 10))
  .refine((days) => days <= MAX_EXPIRY_DAYS, `expiring must be at most ${MAX_EXPIRY_DAYS}d.`);

export const listKeysQuery = z.object({
  q: z.string().trim().max(100).catch(''),
  expiring: expiringDaysSchema.optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  pageSize: z.coerce
    .number()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
    .catch(10),
  sort: z.enum(SORTS).catch('created'),
  dir: z.enum(['asc', 'desc']).catch('desc'),
});
export type ListKeysQuery = z.output<typeof listKeysQuery>;

/** The most keys one bulk delete takes, in the console and over the REST API. */
export const MAX_BULK_DELETE = 100;

/**
 * A bulk delete: 1 to 100 distinct key ids, all of the actor's project, deleted together or not at
 * all. The project's webhook key is among them only with `confirmWebhookKey: true`.
 */
export const deleteKeysInput = z.strictObject({
  ids: z
    .array(z.string({ error: 'Each id must be a key id.' }).min(1, 'Each id must be a key id.').max(200, 'Each id must be at most 200 characters.'), {
      error: 'ids must be a list of key ids.',
    })
    .min(1, 'ids must list at least one key.')
    .max(MAX_BULK_DELETE, `ids can list at most ${MAX_BULK_DELETE} keys.`)
    .refine((ids) => new Set(ids).size === ids.length, 'ids must not list a key twice.')
    .meta({ description: `The keys to delete: 1 to ${MAX_BULK_DELETE} distinct ids of this project.`, uniqueItems: true }),
  confirmWebhookKey: z
    .boolean({ error: 'confirmWebhookKey must be true or false.' })
    .optional()
    .meta({ description: 'Must be true when one of the keys is the project’s webhook key; otherwise nothing is deleted.' }),
});
export type DeleteKeysInput = z.input<typeof deleteKeysInput>;
