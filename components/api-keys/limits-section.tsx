'use client';
/**
 * The "Limits" section of the create and edit dialogs: "Allowed IP addresses" (one address or
 * CIDR range per line), "Rate limit" (Requests per Second/Minute/Hour) and "Usage limit" (Uses,
 * Refill, and Refill amount unless Refill is Never). Every field is optional: blank is no limit.
 * The form that holds it registers the fields of ./limit-form.ts and validates them there.
 */
import { useId, type ReactNode } from 'react';
import type { ChangeHandler, UseFormRegisterReturn } from 'react-hook-form';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { Textarea } from '@/components/ui/textarea';
import { MAX_ALLOWED_ADDRESSES } from '@/lib/limits/addresses';
import { PER_CHOICES, REFILL_CHOICES, type LimitField, type LimitValues } from './limit-form';

type Registration = (name: LimitField) => UseFormRegisterReturn;

type Props = {
  register: Registration;
  refill: LimitValues['refill'];
  errors: Partial<Record<LimitField, { message?: string } | undefined>>;
  /** A window the key has (set over the API) that Second/Minute/Hour do not name, kept as a choice. */
  otherWindowSeconds?: number | null;
  disabled?: boolean;
};

/** A field's messages, one a line ("line 3: not an address or range"), for aria-describedby. */
function FieldMessages({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  const lines = message.split('\n');
  return (
    <div id={id} className="mt-1 text-sm text-red-600">
      {lines.length === 1 ? (
        <p>{lines[0]}</p>
      ) : (
        <ul className="list-disc space-y-0.5 pl-5">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** What each field of the section needs: its id and, when it has an error, the wiring to it. */
function useFieldIds(errors: Props['errors']) {
  const base = useId();
  return (field: LimitField, hint?: boolean) => {
    const id = `${base}-${field}`;
    const error = errors[field]?.message;
    const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
    return {
      input: { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined },
      messages: <FieldMessages id={`${id}-error`} message={error} />,
      hintId: `${id}-hint`,
    };
  };
}

/**
 * A number field's registration that tells text the browser cannot read as a number (which it
 * reports as an empty value) from a blank field, so that "12e" is an error rather than no limit.
 */
function numberField(registration: UseFormRegisterReturn): UseFormRegisterReturn {
  const read = (handler: ChangeHandler): ChangeHandler => (event) => {
    const input = event.target as HTMLInputElement;
    return handler({ type: event.type, target: { name: registration.name, value: input.validity.badInput ? 'not a number' : input.value } });
  };
  return { ...registration, onChange: read(registration.onChange), onBlur: read(registration.onBlur) };
}

type FieldWiring = ReturnType<ReturnType<typeof useFieldIds>>;

/** One field of a group: its small label, its control, its messages. */
function SmallField({ label, wiring, children }: { label: string; wiring: FieldWiring; children: ReactNode }) {
  return (
    <div>
      <Label htmlFor={wiring.input.id} className="text-xs text-zinc-600">
        {label}
      </Label>
      {children}
      {wiring.messages}
    </div>
  );
}

const groupClass = 'min-w-0 space-y-2';
const legendClass = 'text-sm font-medium text-zinc-800';

export function LimitsSection({ register, refill, errors, otherWindowSeconds, disabled }: Props) {
  const field = useFieldIds(errors);
  const addresses = field('allowedAddresses', true);
  const requests = field('rateRequests');
  const per = field('ratePer');
  const uses = field('uses', true);
  const refillField = field('refill');
  const amount = field('refillAmount');
  const numberInput = (name: LimitField, wiring: FieldWiring, min: number) => (
    <Input type="number" inputMode="numeric" min={min} step={1} placeholder={name === 'refillAmount' ? undefined : 'No limit'} className="mt-1" {...wiring.input} {...numberField(register(name))} />
  );

  const choiceSelect = (name: LimitField, wiring: FieldWiring, choices: readonly { value: string; label: string }[]) => (
    <Select className="mt-1" {...wiring.input} {...register(name)}>
      {choices.map((choice) => (
        <option key={choice.value} value={choice.value}>
          {choice.label}
        </option>
      ))}
    </Select>
  );
  const otherWindow = otherWindowSeconds && !PER_CHOICES.some((choice) => Number(choice.value) === otherWindowSeconds) ? String(otherWindowSeconds) : null;
  const perChoices = otherWindow ? [...PER_CHOICES, { value: otherWindow, label: `${otherWindow} seconds` }] : PER_CHOICES;

  return (
    <fieldset className="min-w-0 space-y-4 rounded-md border border-zinc-200 px-4 pb-4 pt-2" disabled={disabled}>
      <legend className="px-1 text-sm font-semibold text-zinc-900">Limits</legend>
      <p className="text-xs text-zinc-500">Optional, and editable later. Leave a field blank for no limit.</p>

      <div>
        <Label htmlFor={addresses.input.id}>Allowed IP addresses</Label>
        <Textarea
          className="mt-1 font-mono"
          rows={3}
          spellCheck={false}
          autoComplete="off"
          placeholder={'203.0.113.0/24\n2001:db8::1'}
          {...addresses.input}
          {...register('allowedAddresses')}
        />
        <p id={addresses.hintId} className="mt-1 text-xs text-zinc-500">
          One IPv4 or IPv6 address or CIDR range per line, up to {MAX_ALLOWED_ADDRESSES}. Calls from anywhere else are refused. Empty: any address.
        </p>
        {addresses.messages}
      </div>

      <fieldset className={groupClass}>
        <legend className={legendClass}>Rate limit</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <SmallField label="Requests" wiring={requests}>
            {numberInput('rateRequests', requests, 1)}
          </SmallField>
          <SmallField label="Per" wiring={per}>
            {choiceSelect('ratePer', per, perChoices)}
          </SmallField>
        </div>
      </fieldset>

      <fieldset className={groupClass}>
        <legend className={legendClass}>Usage limit</legend>
        <div className="grid gap-3 sm:grid-cols-3">
          <SmallField label="Uses" wiring={uses}>
            {numberInput('uses', uses, 0)}
          </SmallField>
          <SmallField label="Refill" wiring={refillField}>
            {choiceSelect('refill', refillField, REFILL_CHOICES)}
          </SmallField>
          {refill !== 'never' ? (
            <SmallField label="Refill amount" wiring={amount}>
              {numberInput('refillAmount', amount, 1)}
            </SmallField>
          ) : null}
        </div>
        <p id={uses.hintId} className="text-xs text-zinc-500">
          Each valid verification spends one use; at zero the key is refused{refill === 'never' ? '.' : ` until the refill, at the start of each ${refill === 'day' ? 'day' : 'month'} (UTC).`}
        </p>
      </fieldset>
    </fieldset>
  );
}
