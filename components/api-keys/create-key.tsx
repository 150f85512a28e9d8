'use client';
/**
 * "Create API key": the button on the API Keys page. The dialog's code (its form, zod and the
 * permissions grid) is fetched when the pointer or focus reaches the button, or at the latest when
 * it is pressed, not with the page; focus comes back to the button when the dialog closes.
 */
import dynamic from 'next/dynamic';
import { useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { Catalogue } from '@/lib/permissions/catalogue';

const loadDialog = () => import('./create-key-button').then((module) => module.CreateKeyDialog);
const CreateKeyDialog = dynamic(loadDialog, { ssr: false });

export function CreateKeyButton({ slug, catalogue }: { slug: string; catalogue: Catalogue }) {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const preload = () => void loadDialog();
  return (
    <>
      <Button
        ref={button}
        aria-haspopup="dialog"
        aria-expanded={open}
        onPointerEnter={preload}
        onFocus={preload}
        onClick={() => {
          setUsed(true);
          setOpen(true);
        }}
      >
        Create API key
      </Button>
      {used ? (
        <CreateKeyDialog
          slug={slug}
          catalogue={catalogue}
          open={open}
          onOpenChange={setOpen}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            button.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}
