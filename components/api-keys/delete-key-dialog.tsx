'use client';
/**
 * "Delete API key": names the key, says the deletion is permanent and takes effect at once, and
 * warns when the key signs webhooks. The server re-checks everything; errors keep it open. On
 * the key's own page, the browser then leaves for `leaveTo` (the list) instead of refreshing.
 */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { deleteKeyAction, deleteKeyFromItsPageAction } from '@/app/projects/[slug]/settings/api-keys/actions';
import { Alert } from '@/components/ui/alert';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { reach } from '@/lib/ui/reach';
import type { ApiKeyJson } from '@/lib/keys/json';

type Props = {
  slug: string;
  apiKey: ApiKeyJson;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCloseAutoFocus?: (event: Event) => void;
  leaveTo?: string;
  /** Called once the key is gone, before the dialog closes. */
  onDeleted?: () => void;
};

export function DeleteKeyDialog({ slug, apiKey, open, onOpenChange, onCloseAutoFocus, leaveTo, onDeleted }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function confirm() {
    setError(null);
    setPending(true);
    const result = await reach((leaveTo ? deleteKeyFromItsPageAction : deleteKeyAction)(slug, apiKey.id));
    // Already deleted (another tab, another admin): what was asked for is done.
    if (!result.ok && result.code !== 'not_found') {
      setPending(false);
      return setError(result.error);
    }
    // Leaving the page: the dialog stays busy until the page is gone.
    if (leaveTo) return router.replace(leaveTo);
    onDeleted?.();
    setPending(false);
    onOpenChange(false);
    router.refresh();
  }

  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(next) => {
        setError(null);
        onOpenChange(next);
      }}
      onCloseAutoFocus={onCloseAutoFocus}
      title="Delete API key"
      description={<>Delete “{apiKey.name}”? This is permanent: the key stops working at once, and every request that uses it is refused.</>}
      error={error}
      pending={pending}
      label="Delete"
      busyLabel="Deleting…"
      onConfirm={confirm}
    >
      {apiKey.webhook ? <Alert tone="warning">This is the project&apos;s webhook key. Signed webhooks stop until you choose another webhook key.</Alert> : null}
    </ConfirmDialog>
  );
}
