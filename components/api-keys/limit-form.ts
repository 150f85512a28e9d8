/**
 * The "Limits" section's form values and their conversion to and from a key's limits as the
 * server takes them (lib/limits/schemas.ts). Blank means no limit. The values are checked here
 * with people's words ("line 3: not an address or range"), then with the server's own schemas,
 * which the server action applies again. Pure: no React, no Node built-ins.
 */
import { z } from 'zod';
import { parseAllowedAddresses } from '@/lib/limits/addresses';
import { allowedAddressesSchema, MAX_RATE_LIMIT, MAX_USES, MAX_WINDOW_SECONDS, rateLimitSchema, usageSchema, type KeyLimitsJson } from '@/lib/limits/schemas';

/** Per: the window in seconds. */
export const PER_CHOICES = [
  { value: '1', label: 'Second' },
  { value: '60', label: 'Minute' },
  { value: '3600', label: 'Hour' },
] as const;

export const REFILL_CHOICES = [
  { value: 'never', label: 'Never' },
  { value: 'day', label: 'Daily' },
  { value: 'month', label: 'Monthly' },
] as const;
type RefillChoice = (typeof REFILL_CHOICES)[number]['value'];

/** The form's fields: text as the inputs hold it; `ratePer` is the window in seconds. */
export const limitFormFields = {
  allowedAddresses: z.string(),
  rateRequests: z.string(),
  ratePer: z.string(),
  uses: z.string(),
  refill: z.enum(REFILL_CHOICES.map((choice) => choice.value) as [RefillChoice, ...RefillChoice[]]),
  refillAmount: z.string(),
};
export type LimitValues = { allowedAddresses: string; rateRequests: string; ratePer: string; uses: string; refill: RefillChoice; refillAmount: string };
export type LimitField = keyof LimitValues;
export type LimitErrors = Partial<Record<LimitField, string[]>>;

/** The form's starting values for a key's limits (a new key: none). */
export function limitDefaults(limits: KeyLimitsJson | null): LimitValues {
  return {
    allowedAddresses: limits?.allowedAddresses?.join('\n') ?? '',
    rateRequests: limits?.rateLimit ? String(limits.rateLimit.limit) : '',
    ratePer: String(limits?.rateLimit?.windowSeconds ?? 60),
    uses: limits?.usage ? String(limits.usage.remaining) : '',
    refill: limits?.usage?.refill?.interval ?? 'never',
    refillAmount: limits?.usage?.refill ? String(limits.usage.refill.amount) : '',
  };
}

const format = (n: number) => n.toLocaleString('en-US');

/** A whole number typed in a field: the number, null when blank, NaN when not one. */
function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function inRange(label: string, n: number, min: number, max: number): string | null {
  if (!Number.isSafeInteger(n)) return `${label} must be a whole number.`;
  if (n < min) return `${label} must be at least ${format(min)}.`;
  if (n > max) return `${label} must be at most ${format(max)}.`;
  return null;
}

/**
 * The limits the values give, and what is wrong with them per field (empty when nothing is).
 * A field with errors gives no limit; `limits` is meant for values that passed.
 */
export function readLimits(values: LimitValues): { limits: KeyLimitsJson; errors: LimitErrors } {
  const errors: LimitErrors = {};
  const fail = (field: LimitField, message: string) => (errors[field] ??= []).push(message);

  let allowedAddresses: string[] | null = null;
  const parsed = parseAllowedAddresses(values.allowedAddresses.split(/\r?\n/));
  if (!parsed.ok) for (const { line, message } of parsed.errors) fail('allowedAddresses', `line ${line}: ${message}`);
  else allowedAddresses = parsed.addresses.length ? parsed.addresses : null;

  let rateLimit: KeyLimitsJson['rateLimit'] = null;
  const requests = wholeNumber(values.rateRequests);
  const windowSeconds = Number(values.ratePer);
  if (requests !== null) {
    const problem = inRange('Requests', requests, 1, MAX_RATE_LIMIT);
    if (problem) fail('rateRequests', problem);
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS) fail('ratePer', 'Choose second, minute or hour.');
    if (!problem && !errors.ratePer) rateLimit = { limit: requests, windowSeconds };
  }

  let usage: KeyLimitsJson['usage'] = null;
  const uses = wholeNumber(values.uses);
  const amount = wholeNumber(values.refillAmount);
  if (uses === null) {
    if (values.refill !== 'never') fail('uses', 'Enter the uses the key starts with, or set Refill to Never.');
  } else {
    const problem = inRange('Uses', uses, 0, MAX_USES);
    if (problem) fail('uses', problem);
    let refill: NonNullable<KeyLimitsJson['usage']>['refill'] = null;
    if (values.refill !== 'never') {
      const amountProblem = amount === null ? 'Enter how many uses each refill gives.' : inRange('Refill amount', amount, 1, MAX_USES);
      if (amountProblem) fail('refillAmount', amountProblem);
      else refill = { amount: amount!, interval: values.refill };
    }
    if (!errors.uses && !errors.refillAmount) usage = { remaining: uses, refill };
  }

  // Then the server's schemas, field by field, for whatever the checks above do not word.
  const server: [LimitField, z.ZodType, unknown][] = [
    ['allowedAddresses', allowedAddressesSchema, allowedAddresses],
    ['rateRequests', rateLimitSchema, rateLimit],
    ['uses', usageSchema, usage],
  ];
  for (const [field, schema, value] of server) {
    if (errors[field]) continue;
    const checked = schema.safeParse(value);
    if (!checked.success) for (const issue of checked.error.issues) fail(field, issue.message);
  }
  return { limits: { allowedAddresses, rateLimit, usage }, errors };
}

/** For a form schema's superRefine: each field's errors, one issue per field (a line each). */
export function checkLimits(values: LimitValues, ctx: z.RefinementCtx): void {
  for (const [field, messages] of Object.entries(readLimits(values).errors)) {
    ctx.addIssue({ code: 'custom', path: [field], message: messages.join('\n') });
  }
}

/** One limit as a string that is equal for equal limits, whatever the order of its properties. */
function comparable(limits: KeyLimitsJson, field: keyof KeyLimitsJson): string {
  const { allowedAddresses, rateLimit, usage } = limits;
  if (field === 'allowedAddresses') return JSON.stringify(allowedAddresses ?? null);
  if (field === 'rateLimit') return JSON.stringify(rateLimit && [rateLimit.limit, rateLimit.windowSeconds]);
  return JSON.stringify(usage && [usage.remaining, usage.refill && [usage.refill.amount, usage.refill.interval]]);
}

/**
 * What an edit sends: only the limits that differ from the key's when the dialog opened (null
 * removes one). An untouched usage limit is left out, so uses spent meanwhile are not given back.
 */
export function changedLimits(limits: KeyLimitsJson, before: KeyLimitsJson): Partial<KeyLimitsJson> {
  const changed: Partial<KeyLimitsJson> = {};
  if (comparable(limits, 'allowedAddresses') !== comparable(before, 'allowedAddresses')) changed.allowedAddresses = limits.allowedAddresses;
  if (comparable(limits, 'rateLimit') !== comparable(before, 'rateLimit')) changed.rateLimit = limits.rateLimit;
  if (comparable(limits, 'usage') !== comparable(before, 'usage')) changed.usage = limits.usage;
  return changed;
}

/** The form field a server's field error belongs to (`usage.refill.amount` → Refill amount). */
export function limitFieldOf(serverField: string): LimitField | null {
  const [head, second, third] = serverField.split('.');
  if (head === 'allowedAddresses') return 'allowedAddresses';
  if (head === 'rateLimit') return second === 'windowSeconds' ? 'ratePer' : 'rateRequests';
  if (head !== 'usage') return null;
  if (second !== 'refill') return 'uses';
  return third === 'interval' ? 'refill' : 'refillAmount';
}
