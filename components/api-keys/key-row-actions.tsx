'use client';
/**
 * A key row's actions, "Actions for {name}": the menu (key-row-menu.tsx) and the dialogs it opens,
 * each arriving when first needed, not with the page. "Edit limits" is offered under every
 * catalogue ("Edit permissions and limits" where permissions can be edited). The dialogs live
 * beside the menu, not inside it, so closing the menu does not unmount them. The key's own page
 * shows the same menu behind a labelled button (`text`), and leaves for the list after a delete
 * (`leaveTo`).
 */
import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { setWebhookKeyAction } from '@/app/projects/[slug]/settings/api-keys/actions';
import { lazyMenu } from '@/components/ui/lazy-menu';
import { RowMenuButton } from '@/components/ui/row-menu-button';
import { reach } from '@/lib/ui/reach';
import type { ApiKeyJson } from '@/lib/keys/json';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { LIST_HEADING_ID } from './ids';
import type { KeyRowMenuProps } from './key-row-menu';

const KeyRowMenu = lazyMenu<KeyRowMenuProps>(
  () => import('./key-row-menu').then((module) => module.KeyRowMenu),
  ({ trigger }, standIn) => <RowMenuButton {...trigger} {...standIn} />,
);

// Each dialog's code (forms, zod, the permissions grid) arrives when the menu first opens, not
// with the page.
const loadDialogs = {
  edit: () => import('./edit-permissions-dialog').then((module) => module.EditPermissionsDialog),
  rotate: () => import('./rotate-key-dialog').then((module) => module.RotateKeyDialog),
  delete: () => import('./delete-key-dialog').then((module) => module.DeleteKeyDialog),
};
const EditPermissionsDialog = dynamic(loadDialogs.edit, { ssr: false });
const RotateKeyDialog = dynamic(loadDialogs.rotate, { ssr: false });
const DeleteKeyDialog = dynamic(loadDialogs.delete, { ssr: false });
const ErrorDialog = dynamic(() => import('@/components/ui/error-dialog').then((module) => module.ErrorDialog), { ssr: false });

type Props = { slug: string; catalogue: Catalogue; apiKey: ApiKeyJson; text?: string; leaveTo?: string };
type Open = 'edit' | 'rotate' | 'delete' | null;

export function KeyRowActions({ slug, catalogue, apiKey, text, leaveTo }: Props) {
  const router = useRouter();
  const editLabel = catalogue.editableAfterCreation ? 'Edit permissions and limits' : 'Edit limits';
  const [open, setOpen] = useState<Open>(null);
  // A dialog stays mounted once opened, so that closing it runs its focus handling.
  const [used, setUsed] = useState<(Exclude<Open, null> | 'error')[]>([]);
  const [pending, setPending] = useState(false);
  const [webhookError, setWebhookError] = useState<string | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const deleted = useRef(false);
  // Opened from the menu, a dialog would hand focus back to a menu item that is gone: use the
  // trigger. After a delete the row (trigger and all) goes with the refresh: focus the list's
  // heading instead, so that it does not fall back to the top of the page.
  const show = (name: Exclude<Open, null>) => {
    setUsed((names) => (names.includes(name) ? names : [...names, name]));
    setOpen(name);
  };
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
    else {
      setUsed((names) => (names.includes('error') ? names : [...names, 'error']));
      setWebhookError(result.error);
    }
  }

  return (
    <>
      <KeyRowMenu
        trigger={{ label: `Actions for ${apiKey.name}`, busy: pending, text }}
        triggerRef={trigger}
        editLabel={editLabel}
        editable={catalogue.editableAfterCreation}
        webhook={apiKey.webhook}
        onOpen={() => Object.values(loadDialogs).forEach((load) => void load())}
        onChoose={(choice) => (choice === 'webhook' ? void makeWebhookKey() : show(choice))}
      />

      {used.includes('edit') ? <EditPermissionsDialog slug={slug} catalogue={catalogue} apiKey={apiKey} title={editLabel} {...dialog('edit')} /> : null}
      {used.includes('rotate') ? <RotateKeyDialog slug={slug} apiKey={apiKey} {...dialog('rotate')} /> : null}
      {used.includes('delete') ? <DeleteKeyDialog slug={slug} apiKey={apiKey} leaveTo={leaveTo} onDeleted={() => (deleted.current = true)} {...dialog('delete')} /> : null}

      {used.includes('error') ? (
        <ErrorDialog
          error={webhookError}
          title="Could not set the webhook key"
          description={<>“{apiKey.name}” was not made the webhook key.</>}
          onClose={() => setWebhookError(null)}
        />
      ) : null}
    </>
  );
}
