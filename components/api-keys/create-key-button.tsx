'use client';
/**
 * "Create API key"'s dialog, with Name, Expires, the permissions grid and Limits, and then, in
 * the same dialog, "Save your API key". The secret lives only in this component's state
 * until "Done" (or a confirmed close) sets it to null; only then does the page refresh.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import type { z } from 'zod';
import { createKeyAction } from '@/app/projects/[slug]/settings/api-keys/actions';
import { Alert } from '@/components/ui/alert';
import { Dialog, DialogActions, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import type { LazyDialogProps } from '@/components/ui/lazy-dialog';
import { reach } from '@/lib/ui/reach';
import { createKeyInput } from '@/lib/keys/schemas';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { checkExpiry, expiresAtFrom, expiryFields, ExpiryField } from './expiry-field';
import { checkLimits, limitDefaults, limitFieldOf, limitFormFields, readLimits } from './limit-form';
import { LimitsSection } from './limits-section';
import { permissionsToSend, restrictionDefaults, restrictionFields, RestrictionFields } from './permissions-grid';
import { ShowSecretContent } from './show-secret-dialog';

/** The server's create schema, picked down to the name, plus the form's own expiry, grid and limit fields. */
const createKeyForm = (catalogue: Catalogue) =>
  createKeyInput(catalogue).pick({ name: true }).extend({ ...expiryFields, ...restrictionFields, ...limitFormFields }).superRefine(checkExpiry).superRefine(checkLimits);
type FormSchema = ReturnType<typeof createKeyForm>;

type Props = { slug: string; catalogue: Catalogue };
type DialogProps = Props & LazyDialogProps;

/** Loaded when first opened (create-key.tsx holds the button that opens it). */
export function CreateKeyDialog({ slug, catalogue, open, onOpenChange, onCloseAutoFocus }: DialogProps) {
  const router = useRouter();
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [busy, setBusy] = useState(false);

  function done() {
    setCreated(null);
    onOpenChange(false);
    router.refresh();
  }

  return (
    <Dialog open={open} onOpenChange={(next) => (busy || created ? undefined : onOpenChange(next))}>
      {created ? (
        <ShowSecretContent secret={created.secret} description={<>Your new key “{created.name}” is ready.</>} onDone={done} onCloseAutoFocus={onCloseAutoFocus} />
      ) : (
        <DialogContent size="lg" onCloseAutoFocus={onCloseAutoFocus}>
          <DialogHeader>
            <DialogTitle>Create API key</DialogTitle>
            <DialogDescription>Your services send this key to call the project&apos;s API. You will see it once, right after it is created.</DialogDescription>
          </DialogHeader>
          <CreateKeyForm slug={slug} catalogue={catalogue} onBusy={setBusy} onCreated={setCreated} />
        </DialogContent>
      )}
    </Dialog>
  );
}

type FormProps = Props & { onBusy: (busy: boolean) => void; onCreated: (created: { name: string; secret: string }) => void };

function CreateKeyForm({ slug, catalogue, onBusy, onCreated }: FormProps) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<z.input<FormSchema>, unknown, z.output<FormSchema>>({
    resolver: zodResolver(createKeyForm(catalogue)),
    defaultValues: { name: '', expires: 'never', expiryDate: '', ...restrictionDefaults(catalogue, null), ...limitDefaults(null) },
  });
  const [expires, restricted, permissions, refill] = useWatch({ control: form.control, name: ['expires', 'restricted', 'permissions', 'refill'] });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    onBusy(true);
    const result = await reach(createKeyAction(slug, {
      name: values.name,
      expiresAt: expiresAtFrom(values),
      permissions: permissionsToSend(catalogue, values),
      ...readLimits(values).limits,
    }));
    onBusy(false);
    if (result.ok) return onCreated({ name: result.data.key.name, secret: result.data.secret });
    for (const [field, messages] of Object.entries(result.fieldErrors ?? {})) {
      const message = messages.join(' ');
      const limitField = limitFieldOf(field);
      if (field === 'name') form.setError('name', { message });
      else if (field === 'expiresAt') form.setError(values.expires === 'custom' ? 'expiryDate' : 'expires', { message });
      else if (field.startsWith('permissions')) form.setError('root.permissions', { message });
      else if (limitField) form.setError(limitField, { message: messages.join('\n') });
    }
    setError(result.error);
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div>
        <Label htmlFor="key-name">Name</Label>
        <Input
          id="key-name"
          className="mt-1"
          placeholder="e.g. Production backend"
          autoComplete="off"
          maxLength={200}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? 'key-name-error' : undefined}
          {...form.register('name')}
        />
        <FieldError id="key-name-error" messages={errors.name?.message} />
      </div>
      <ExpiryField
        expires={expires}
        select={form.register('expires')}
        date={form.register('expiryDate')}
        error={errors.expiryDate?.message ?? errors.expires?.message}
        disabled={isSubmitting}
      />
      <RestrictionFields
        catalogue={catalogue}
        value={{ restricted, permissions }}
        onChange={(value) => {
          form.setValue('restricted', value.restricted);
          form.setValue('permissions', value.permissions);
        }}
        disabled={isSubmitting}
        error={errors.root?.permissions?.message}
      />
      <LimitsSection register={form.register} refill={refill} errors={errors} disabled={isSubmitting} />
      <DialogActions busy={isSubmitting} label="Create" busyLabel="Creating…" />
    </form>
  );
}
