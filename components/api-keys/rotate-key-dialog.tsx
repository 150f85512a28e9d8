'use client';
/**
 * "Rotate API key": a new secret for the same key (id, name and permissions stay), with a grace
 * period during which the old secret still works. The new secret is then shown once, in the
 * same dialog, by the same "Save your API key" content as after create.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { z } from 'zod';
import { rotateKeyAction } from '@/app/projects/[slug]/settings/api-keys/actions';
import { Alert } from '@/components/ui/alert';
import { Dialog, DialogActions, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import { reach } from '@/lib/ui/reach';
import type { ApiKeyJson } from '@/lib/keys/json';
import { GRACE_PERIOD_CHOICES, rotateKeyInput } from '@/lib/keys/schemas';
import { ShowSecretContent } from './show-secret-dialog';

const exact = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

type Props = { slug: string; apiKey: ApiKeyJson; open: boolean; onOpenChange: (open: boolean) => void; onCloseAutoFocus?: (event: Event) => void };
type Rotated = { secret: string; oldStopsAt: string | null };

export function RotateKeyDialog({ slug, apiKey, open, onOpenChange, onCloseAutoFocus }: Props) {
  const router = useRouter();
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const [busy, setBusy] = useState(false);

  function done() {
    setRotated(null);
    onOpenChange(false);
    router.refresh();
  }

  return (
    <Dialog open={open} onOpenChange={(next) => (busy || rotated ? undefined : onOpenChange(next))}>
      {rotated ? (
        <ShowSecretContent
          secret={rotated.secret}
          onCloseAutoFocus={onCloseAutoFocus}
          onDone={done}
          description={
            <>
              The new secret for “{apiKey.name}”.{' '}
              {rotated.oldStopsAt ? `The old one keeps working until ${exact.format(new Date(rotated.oldStopsAt))}.` : 'The old one has stopped working.'}
            </>
          }
        />
      ) : (
        <DialogContent onCloseAutoFocus={onCloseAutoFocus}>
          <DialogHeader>
            <DialogTitle>Rotate API key</DialogTitle>
            <DialogDescription>
              “{apiKey.name}” gets a new secret; its ID, name and permissions stay the same. Update your services with the new secret before
              the old one stops working.
            </DialogDescription>
          </DialogHeader>
          <RotateForm slug={slug} keyId={apiKey.id} onBusy={setBusy} onRotated={setRotated} />
        </DialogContent>
      )}
    </Dialog>
  );
}

type FormProps = { slug: string; keyId: string; onBusy: (busy: boolean) => void; onRotated: (rotated: Rotated) => void };

function RotateForm({ slug, keyId, onBusy, onRotated }: FormProps) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<z.input<typeof rotateKeyInput>, unknown, z.output<typeof rotateKeyInput>>({
    resolver: zodResolver(rotateKeyInput),
    defaultValues: { gracePeriodSeconds: 0 },
  });
  const { isSubmitting, errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    onBusy(true);
    const result = await reach(rotateKeyAction(slug, keyId, values));
    onBusy(false);
    if (result.ok) return onRotated({ secret: result.data.secret, oldStopsAt: result.data.key.previousSecretExpiresAt });
    setError(result.fieldErrors?.gracePeriodSeconds?.join(' ') ?? result.error);
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      {error ? (
        <Alert tone="error" className="mb-4">
          {error}
        </Alert>
      ) : null}
      <p id="grace-period-label" className="text-sm font-medium text-zinc-800">
        Old key stops working
      </p>
      <Controller
        control={form.control}
        name="gracePeriodSeconds"
        render={({ field }) => (
          <RadioGroup
            aria-labelledby="grace-period-label"
            value={String(field.value)}
            onValueChange={(value) => field.onChange(Number(value))}
            disabled={isSubmitting}
            className="mt-2 grid grid-cols-2 gap-2"
          >
            {GRACE_PERIOD_CHOICES.map((choice) => (
              <div key={choice.seconds} className="flex items-center gap-2 rounded-md border border-zinc-200 px-3 py-2 has-[[data-state=checked]]:border-zinc-900">
                <RadioGroupItem id={`grace-${choice.seconds}`} value={String(choice.seconds)} />
                <Label htmlFor={`grace-${choice.seconds}`} className="cursor-pointer font-normal">
                  {choice.label}
                </Label>
              </div>
            ))}
          </RadioGroup>
        )}
      />
      {errors.gracePeriodSeconds ? <p className="mt-1 text-sm text-red-600">{errors.gracePeriodSeconds.message}</p> : null}
      <p className="mt-3 text-xs text-zinc-500">Rotate immediately if the key may have leaked.</p>
      <DialogActions busy={isSubmitting} label="Rotate" busyLabel="Rotating…" />
    </form>
  );
}
