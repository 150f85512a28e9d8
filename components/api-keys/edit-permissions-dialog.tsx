'use client';
/**
 * "Edit permissions": the create dialog's switch and grid, prefilled from the key, saved without
 * changing its secret. Only offered where the catalogue allows editing; the server refuses
 * otherwise, and its message is shown here if it does.
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
import type { Catalogue } from '@/lib/permissions/catalogue';
import { permissionsToSend, restrictionDefaults, restrictionFields, RestrictionFields, type RestrictionValues } from './permissions-grid';

const editPermissionsForm = z.strictObject(restrictionFields);

type Props = { slug: string; catalogue: Catalogue; apiKey: ApiKeyJson; open: boolean; onOpenChange: (open: boolean) => void; onCloseAutoFocus?: (event: Event) => void };

export function EditPermissionsDialog({ open, onOpenChange, onCloseAutoFocus, ...props }: Props) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent size="lg" onCloseAutoFocus={onCloseAutoFocus}>
        <DialogHeader>
          <DialogTitle>Edit permissions</DialogTitle>
          <DialogDescription>
            Change what “{props.apiKey.name}” can do. Its secret stays the same; services using it get the new permissions within seconds.
          </DialogDescription>
        </DialogHeader>
        <EditPermissionsForm {...props} onSaved={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function EditPermissionsForm({ slug, catalogue, apiKey, onSaved }: Omit<Props, 'open' | 'onOpenChange' | 'onCloseAutoFocus'> & { onSaved: () => void }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const form = useForm<RestrictionValues>({
    resolver: zodResolver(editPermissionsForm),
    defaultValues: restrictionDefaults(catalogue, apiKey.permissions),
  });
  const [restricted, permissions] = useWatch({ control: form.control, name: ['restricted', 'permissions'] });
  const { isSubmitting, errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    const result = await reach(updateKeyAction(slug, apiKey.id, { permissions: permissionsToSend(catalogue, values) }));
    if (!result.ok) {
      const messages = Object.entries(result.fieldErrors ?? {}).filter(([field]) => field.startsWith('permissions'));
      if (messages.length) form.setError('root.permissions', { message: messages.flatMap(([, list]) => list).join(' ') });
      return setError(result.error);
    }
    onSaved();
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5">
      {error ? <Alert tone="error">{error}</Alert> : null}
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
      <DialogActions busy={isSubmitting} label="Save" busyLabel="Saving…" />
    </form>
  );
}
