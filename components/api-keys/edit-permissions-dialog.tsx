'use client';
/**
 * Edits a key without changing its secret: its limits under every catalogue (they are not
 * permissions), and its permissions — the create dialog's switch and grid — only where the
 * catalogue allows editing them. Prefilled from the key; a limit is sent only if it changed, and
 * a cleared one is removed. The server validates and authorizes again, and its message is shown
 * here if it refuses.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { updateKeyAction } from '@/app/projects/[slug]/settings/api-keys/actions';
import { Alert } from '@/components/ui/alert';
import { Dialog, DialogActions, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { reach } from '@/lib/ui/reach';
import type { ApiKeyJson } from '@/lib/keys/json';
import type { UpdateKeyInput } from '@/lib/keys/schemas';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { changedLimits, checkLimits, limitDefaults, limitFieldOf, limitFormFields, readLimits } from './limit-form';
import { LimitsSection } from './limits-section';
import { permissionsToSend, restrictionDefaults, restrictionFields, RestrictionFields } from './permissions-grid';

const editKeyForm = z.strictObject({ ...restrictionFields, ...limitFormFields }).superRefine(checkLimits);

type Props = {
  slug: string;
  catalogue: Catalogue;
  apiKey: ApiKeyJson;
  /** The menu item's words: "Edit limits", or "Edit permissions and limits" where permissions are editable. */
  title: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCloseAutoFocus?: (event: Event) => void;
};

export function EditPermissionsDialog({ open, onOpenChange, onCloseAutoFocus, title, ...props }: Props) {
  const name = props.apiKey.name;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent size="lg" onCloseAutoFocus={onCloseAutoFocus}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>
            {props.catalogue.editableAfterCreation ? `Change what “${name}” can do, and its limits.` : `Change where from, how fast and how often “${name}” may be used.`} Its secret
            stays the same; services using it get the change within seconds.
          </DialogDescription>
        </DialogHeader>
        <EditKeyForm {...props} onSaved={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

type FormProps = Pick<Props, 'slug' | 'catalogue' | 'apiKey'> & { onSaved: () => void };

function EditKeyForm({ slug, catalogue, apiKey, onSaved }: FormProps) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const form = useForm<z.input<typeof editKeyForm>, unknown, z.output<typeof editKeyForm>>({
    resolver: zodResolver(editKeyForm),
    defaultValues: { ...restrictionDefaults(catalogue, apiKey.permissions), ...limitDefaults(apiKey) },
  });
  const [restricted, permissions, refill] = useWatch({ control: form.control, name: ['restricted', 'permissions', 'refill'] });
  const { isSubmitting, errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    const input: UpdateKeyInput = {
      ...(catalogue.editableAfterCreation ? { permissions: permissionsToSend(catalogue, values) } : {}),
      ...changedLimits(readLimits(values).limits, apiKey),
    };
    // Nothing changed: nothing to send (the server would refuse an empty edit).
    if (Object.keys(input).length === 0) return onSaved();
    const result = await reach(updateKeyAction(slug, apiKey.id, input));
    if (!result.ok) {
      const fieldErrors = Object.entries(result.fieldErrors ?? {});
      const permissionMessages = fieldErrors.filter(([field]) => field.startsWith('permissions')).flatMap(([, list]) => list);
      if (permissionMessages.length) form.setError('root.permissions', { message: permissionMessages.join(' ') });
      for (const [field, messages] of fieldErrors) {
        const limitField = limitFieldOf(field);
        if (limitField) form.setError(limitField, { message: messages.join('\n') });
      }
      return setError(result.error);
    }
    onSaved();
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5">
      {error ? <Alert tone="error">{error}</Alert> : null}
      {catalogue.editableAfterCreation ? (
        <RestrictionFields
          catalogue={catalogue}
          value={{ restricted, permissions }}
          onChange={(value) => {
            form.setValue('restricted', value.restricted, { shouldDirty: true });
            form.setValue('permissions', value.permissions, { shouldDirty: true });
          }}
          disabled={isSubmitting}
          error={errors.root?.permissions?.message}
        />
      ) : null}
      <LimitsSection register={form.register} refill={refill} errors={errors} otherWindowSeconds={apiKey.rateLimit?.windowSeconds} disabled={isSubmitting} />
      <DialogActions busy={isSubmitting} label="Save" busyLabel="Saving…" />
    </form>
  );
}
