'use client';
/** "Send test event": queues a `webhook.test` delivery for the saved endpoint; it shows up in the table below. */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { sendTestEventAction } from '@/app/projects/[slug]/settings/webhooks/actions';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { reach } from '@/lib/ui/reach';

export function SendTestButton({ slug, disabledReason }: { slug: string; disabledReason?: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'error' | 'info'; text: string }>();

  async function send() {
    setBusy(true);
    setMessage(undefined);
    const result = await reach(sendTestEventAction(slug));
    setBusy(false);
    if (!result.ok) return setMessage({ tone: 'error', text: result.error });
    setMessage({ tone: 'info', text: 'Test event queued; it appears in Deliveries below.' });
    router.refresh();
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={send} disabled={busy || Boolean(disabledReason)} aria-describedby={disabledReason ? 'send-test-reason' : undefined}>
          {busy ? 'Sending…' : 'Send test event'}
        </Button>
        {disabledReason ? (
          <p id="send-test-reason" className="text-sm text-zinc-500">
            {disabledReason}
          </p>
        ) : null}
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
    </div>
  );
}
