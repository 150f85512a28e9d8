'use client';
/**
 * "Expires" for a new key: Never, 7, 30 or 90 days, or a custom date ("Expiry date"). The form
 * holds the choice; `expiresAtFrom` turns it into the ISO time the server's schema takes, and
 * `checkExpiry` applies that same schema (future, within the maximum) to the custom date.
 */
import { useState } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';
import { z } from 'zod';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { DAY_MS } from '@/lib/keys/expiry-days';
import { expiresAtSchema, MAX_EXPIRY_DAYS } from '@/lib/keys/schemas';

const CHOICES = [
  { value: 'never', label: 'Never', days: null },
  { value: '7', label: '7 days', days: 7 },
  { value: '30', label: '30 days', days: 30 },
  { value: '90', label: '90 days', days: 90 },
  { value: 'custom', label: 'Custom date', days: null },
] as const;
type ExpiryChoice = (typeof CHOICES)[number]['value'];

export const expiryFields = {
  expires: z.enum(CHOICES.map((choice) => choice.value) as [ExpiryChoice, ...ExpiryChoice[]]),
  expiryDate: z.string(),
};
export type ExpiryValues = { expires: ExpiryChoice; expiryDate: string };

/** A local calendar date as the date input writes it (YYYY-MM-DD). */
const localDate = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** The key's expiry as ISO 8601, null for never; a custom date lasts to the end of that local day. */
export function expiresAtFrom(values: ExpiryValues, now = new Date()): string | null {
  const days = CHOICES.find((choice) => choice.value === values.expires)?.days;
  if (days) return new Date(now.getTime() + days * DAY_MS).toISOString();
  if (values.expires !== 'custom') return null;
  const [year, month, day] = values.expiryDate.split('-').map(Number);
  if (!year || !month || !day) return null;
  return new Date(year, month - 1, day, 23, 59, 59, 999).toISOString();
}

/** For a form schema's superRefine: the custom date must be given, after today, and pass the server's rules. */
export function checkExpiry(values: ExpiryValues, ctx: z.RefinementCtx) {
  if (values.expires !== 'custom') return;
  const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['expiryDate'], message });
  if (!values.expiryDate) return issue('Choose the date the key expires.');
  if (values.expiryDate <= localDate(new Date())) return issue('Expiry date must be in the future.');
  const checked = expiresAtSchema().safeParse(expiresAtFrom(values));
  if (!checked.success) issue(checked.error.issues[0]?.message ?? 'Choose a valid date.');
}

type Props = {
  expires: ExpiryChoice;
  select: UseFormRegisterReturn<'expires'>;
  date: UseFormRegisterReturn<'expiryDate'>;
  error?: string;
  disabled?: boolean;
};

export function ExpiryField({ expires, select, date, error, disabled }: Props) {
  const [now] = useState(() => new Date());
  const days = CHOICES.find((choice) => choice.value === expires)?.days;
  const preview = days ? new Date(now.getTime() + days * DAY_MS).toLocaleDateString('en-US', { dateStyle: 'medium' }) : null;

  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <div>
        <Label htmlFor="key-expires">Expires</Label>
        <Select id="key-expires" disabled={disabled} aria-describedby="key-expires-hint" className="mt-1" {...select}>
          {CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </Select>
        <p id="key-expires-hint" className="mt-1 text-xs text-zinc-500">
          {preview ? `Stops working on ${preview}.` : expires === 'never' ? 'The key works until you delete it.' : 'It stops working at the end of that day.'}
        </p>
      </div>
      {expires === 'custom' ? (
        <div>
          <Label htmlFor="key-expiry-date">Expiry date</Label>
          <Input
            id="key-expiry-date"
            type="date"
            className="mt-1"
            min={localDate(new Date(now.getTime() + DAY_MS))}
            max={localDate(new Date(now.getTime() + MAX_EXPIRY_DAYS * DAY_MS))}
            disabled={disabled}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'key-expiry-date-error' : undefined}
            {...date}
          />
          <FieldError id="key-expiry-date-error" messages={error} />
        </div>
      ) : null}
    </div>
  );
}
