'use client';
/**
 * "Delete API keys": the selected keys by count and by name, deleted together or not at all by
 * "Delete N keys". The webhook key goes only when its own checkbox says so; without it the server
 * refuses the batch and nothing is deleted, which the dialog then says (also when the table did not
 * know: another admin may have made one of them the webhook key since). Errors keep it open.
 * Loaded when first opened (./bulk-actions.tsx), not with the page.
 */
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { deleteKeysAction } from '@/app/projects/[slug]/settings/api-keys/actions';
import { Alert } from '@/components/ui/alert';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import type { ApiKeyJson } from '@/lib/keys/json';
import { reach } from '@/lib/ui/reach';
import { keysCount } from './keys-count';

type Props = {
  slug: string;
  keys: ApiKeyJson[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** After the keys are gone: the table clears its selection. */
  onDeleted: () => void;
  onCloseAutoFocus: (event: Event) => void;
};

export function DeleteKeysDialog({ slug, keys, open, onOpenChange, onDeleted, onCloseAutoFocus }: Props) {
  const router = useRouter();
  const confirmId = useId();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [confirmWebhookKey, setConfirmWebhookKey] = useState(false);
  // The server's word wins over the table's: it may know of a webhook key the page does not show yet.
  const [serverSaysWebhook, setServerSaysWebhook] = useState(false);
  const webhookKey = keys.find((key) => key.webhook);
  const askWebhook = Boolean(webhookKey) || serverSaysWebhook;

  function reset() {
    setError(null);
    setConfirmWebhookKey(false);
    setServerSaysWebhook(false);
  }

  async function confirm() {
    setError(null);
    setPending(true);
    const result = await reach(deleteKeysAction(slug, { ids: keys.map((key) => key.id), ...(askWebhook ? { confirmWebhookKey } : {}) }));
    setPending(false);
    if (!result.ok) {
      if (result.code === 'webhook_key_confirmation_required') setServerSaysWebhook(true);
      return setError(result.error);
    }
    reset();
    onDeleted();
    onOpenChange(false);
    router.refresh();
  }

  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(next) => {
        reset();
        onOpenChange(next);
      }}
      onCloseAutoFocus={onCloseAutoFocus}
      title="Delete API keys"
      description={
        <>
          Delete {keysCount(keys.length)}? This is permanent: {keys.length === 1 ? 'it stops' : 'they stop'} working at once, and every request that uses{' '}
          {keys.length === 1 ? 'it' : 'them'} is refused.
        </>
      }
      error={error}
      pending={pending}
      label={`Delete ${keysCount(keys.length)}`}
      busyLabel="Deleting…"
      onConfirm={confirm}
    >
      {/* Up to a hundred names: the list scrolls, and a keyboard can scroll it too. */}
      <ul
        aria-label="Keys to delete"
        tabIndex={0}
        className="max-h-48 list-disc space-y-0.5 overflow-y-auto rounded-md border border-zinc-200 py-2 pl-8 pr-3 text-sm text-zinc-800 focus-visible:outline-2 focus-visible:outline-zinc-900"
      >
        {keys.map((key) => (
          <li key={key.id} className="break-words">
            {key.name}
            {key.webhook ? <span className="text-zinc-600"> (webhook key)</span> : null}
          </li>
        ))}
      </ul>
      {askWebhook ? (
        <div className="mt-3 space-y-2">
          <Alert tone="warning">
            {webhookKey ? <>“{webhookKey.name}” is</> : <>One of these keys is</>} the project&apos;s webhook key. Signed webhooks stop until you choose another webhook key.
          </Alert>
          <div className="flex items-start gap-2 text-sm">
            <input
              id={confirmId}
              type="checkbox"
              checked={confirmWebhookKey}
              onChange={(event) => setConfirmWebhookKey(event.target.checked)}
              disabled={pending}
              className="mt-0.5 size-4 shrink-0 accent-red-600"
            />
            <label htmlFor={confirmId} className="text-zinc-800">
              {webhookKey ? <>Also delete the webhook key “{webhookKey.name}”</> : <>Also delete the webhook key</>}
            </label>
          </div>
        </div>
      ) : null}
    </ConfirmDialog>
  );
}
