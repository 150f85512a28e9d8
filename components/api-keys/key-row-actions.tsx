'use client';
/**
 * A key row's menu, "Actions for {name}": Edit limits — "Edit permissions and limits" where the
 * catalogue allows editing permissions; otherwise the menu says why a new key is needed for
 * other permissions — Rotate, Set as webhook key (disabled on the current one) and Delete. The dialogs live beside the menu, not inside it, so closing the menu
 * does not unmount them. The key's own page shows the same menu behind a labelled button
 * (`text`), and leaves for the list after a delete (`leaveTo`).
 */
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { setWebhookKeyAction } from '@/app/projects/[slug]/settings/api-keys/actions';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  RowMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { ErrorDialog } from '@/components/ui/error-dialog';
import { reach } from '@/lib/ui/reach';
import type { ApiKeyJson } from '@/lib/keys/json';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { DeleteKeyDialog } from './delete-key-dialog';
import { LIST_HEADING_ID } from './ids';
import { EditPermissionsDialog } from './edit-permissions-dialog';
import { RotateKeyDialog } from './rotate-key-dialog';

type Props = { slug: string; catalogue: Catalogue; apiKey: ApiKeyJson; text?: string; leaveTo?: string };
type Open = 'edit' | 'rotate' | 'delete' | null;

export function KeyRowActions({ slug, catalogue, apiKey, text, leaveTo }: Props) {
  const router = useRouter();
  const editLabel = catalogue.editableAfterCreation ? 'Edit permissions and limits' : 'Edit limits';
  const [open, setOpen] = useState<Open>(null);
  const [pending, setPending] = useState(false);
  const [webhookError, setWebhookError] = useState<string | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const deleted = useRef(false);
  // Opened from the menu, a dialog would hand focus back to a menu item that is gone: use the
  // trigger. After a delete the row (trigger and all) goes with the refresh: focus the list's
  // heading instead, so that it does not fall back to the top of the page.
  const dialog = (name: Exclude<Open, null>) => ({
    open: open === name,
    onOpenChange: (next: boolean) => setOpen(next ? name : null),
    onCloseAutoFocus: (event: Event) => {
      event.preventDefault();
      if (deleted.current) document.getElementById(LIST_HEADING_ID)?.focus();
      else trigger.current?.focus();
    },
  });

  async function makeWebhookKey() {
    setPending(true);
    const result = await reach(setWebhookKeyAction(slug, apiKey.id));
    setPending(false);
    if (result.ok) router.refresh();
    else setWebhookError(result.error);
  }

  return (
    <>
      <DropdownMenu>
        <RowMenuTrigger ref={trigger} label={`Actions for ${apiKey.name}`} busy={pending} text={text} />
        <DropdownMenuContent className="w-60">
          <DropdownMenuItem onSelect={() => setOpen('edit')}>{editLabel}</DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setOpen('rotate')}>Rotate</DropdownMenuItem>
          <DropdownMenuItem disabled={apiKey.webhook} onSelect={makeWebhookKey} className="justify-between">
            Set as webhook key
            {apiKey.webhook ? <span className="text-xs text-zinc-500">(current)</span> : null}
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setOpen('delete')} className="text-red-700 data-[highlighted]:bg-red-50">
            Delete
          </DropdownMenuItem>
          {catalogue.editableAfterCreation ? null : (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuLabel>Permissions cannot be changed after a key is created. To change them, create a new key and delete this one.</DropdownMenuLabel>
            </>
          )}
        </DropdownMenuContent>
      </DropdownMenu>

      <EditPermissionsDialog slug={slug} catalogue={catalogue} apiKey={apiKey} title={editLabel} {...dialog('edit')} />
      <RotateKeyDialog slug={slug} apiKey={apiKey} {...dialog('rotate')} />
      <DeleteKeyDialog slug={slug} apiKey={apiKey} leaveTo={leaveTo} onDeleted={() => (deleted.current = true)} {...dialog('delete')} />

      <ErrorDialog
        error={webhookError}
        title="Could not set the webhook key"
        description={<>“{apiKey.name}” was not made the webhook key.</>}
        onClose={() => setWebhookError(null)}
      />
    </>
  );
}
