'use client';
/**
 * "Save your API key": the one place a key's secret is ever rendered, after create and after
 * rotate. It goes inside the caller's Dialog root, which holds the secret in state and drops it
 * (null) in `onDone`, so once closed the secret is no longer in the DOM. Escape and outside
 * clicks do not close it; they ask first. The secret never goes into a URL or any storage.
 */
import { useRef, useState, type ReactNode } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { CopyFeedback, useCopy } from '@/components/ui/use-copy';

type Props = { secret: string; description: ReactNode; onDone: () => void; onCloseAutoFocus?: (event: Event) => void };

export function ShowSecretContent({ secret, description, onDone, onCloseAutoFocus }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const keepOpen = useRef<HTMLButtonElement>(null);
  const { state: copied, copy } = useCopy();
  const [confirming, setConfirming] = useState(false);

  const askFirst = (event: Event) => {
    event.preventDefault();
    setConfirming(true);
  };

  return (
    <DialogContent onEscapeKeyDown={askFirst} onPointerDownOutside={askFirst} onInteractOutside={askFirst} onCloseAutoFocus={onCloseAutoFocus}>
      <DialogHeader>
        <DialogTitle>Save your API key</DialogTitle>
        <DialogDescription>{description}</DialogDescription>
      </DialogHeader>
      <div>
        <Label htmlFor="shown-api-key">API key</Label>
        <div className="mt-1 flex gap-2">
          <Input
            ref={input}
            id="shown-api-key"
            readOnly
            value={secret}
            onFocus={(event) => event.currentTarget.select()}
            autoComplete="off"
            spellCheck={false}
            data-1p-ignore
            data-lpignore="true"
            className="font-mono text-xs"
          />
          <Button variant="secondary" onClick={() => copy(secret, input.current)} className="w-24 shrink-0">
            {copied === 'copied' ? 'Copied' : 'Copy'}
          </Button>
        </div>
        <CopyFeedback state={copied} />
      </div>
      <Alert tone="warning" className="mt-3">
        Copy the key now and store it somewhere safe, such as a secret manager. It will not be shown again: Keyward keeps only a
        hash of it. If you lose it, rotate the key to get a new one.
      </Alert>
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>

      <Dialog open={confirming} onOpenChange={setConfirming}>
        {/* Opens on the safe choice: Enter keeps the secret on screen. */}
        <DialogContent
          size="sm"
          onOpenAutoFocus={(event) => {
            event.preventDefault();
            keepOpen.current?.focus();
          }}
        >
          <DialogHeader>
            <DialogTitle>Close without saving?</DialogTitle>
            <DialogDescription>You won&apos;t be able to see this key again.</DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="secondary" onClick={onDone}>
              Close
            </Button>
            <Button ref={keepOpen} onClick={() => setConfirming(false)}>
              Keep open
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </DialogContent>
  );
}
