'use client';
/**
 * A button that opens a dialog whose code (its form, zod, react-hook-form, Radix's dialog) is
 * fetched when a pointer or the focus reaches the button, or at the latest when it is pressed, not
 * with the page. The dialog stays mounted once opened, and focus comes back to the button when it
 * closes.
 */
import dynamic from 'next/dynamic';
import { useRef, useState, type ComponentType, type ReactNode } from 'react';
import { Button } from './button';

/** What a lazily loaded dialog takes besides its own props. */
export type LazyDialogProps = { open: boolean; onOpenChange: (open: boolean) => void; onCloseAutoFocus: (event: Event) => void };

export function lazyDialogButton<P extends LazyDialogProps>(load: () => Promise<ComponentType<P>>) {
  const LoadedDialog = dynamic(load, { ssr: false }) as ComponentType<P>;
  const preload = () => void load();

  return function DialogButton({ children, dialog }: { children: ReactNode; dialog: Omit<P, keyof LazyDialogProps> }) {
    const [open, setOpen] = useState(false);
    const [used, setUsed] = useState(false);
    const button = useRef<HTMLButtonElement>(null);
    const props = {
      ...dialog,
      open,
      onOpenChange: setOpen,
      onCloseAutoFocus: (event: Event) => {
        event.preventDefault();
        button.current?.focus();
      },
    } as P;
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
          {children}
        </Button>
        {used ? <LoadedDialog {...props} /> : null}
      </>
    );
  };
}
