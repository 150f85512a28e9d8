'use client';
/**
 * Dialog primitives over Radix Dialog: a dimmed overlay, a centred panel that scrolls inside
 * itself on short screens, and the title/description Radix wires to aria-labelledby and
 * aria-describedby. Focus trapping and return, Escape and outside clicks are Radix's; a content
 * that must not close that way passes its own handlers (see the show-once key dialog).
 */
import * as DialogPrimitive from '@radix-ui/react-dialog';
import type { ComponentProps } from 'react';
import { cn } from '@/lib/ui/cn';
import { Button } from './button';

export const Dialog = DialogPrimitive.Root;
export const DialogTrigger = DialogPrimitive.Trigger;
export const DialogClose = DialogPrimitive.Close;

const widths = { sm: 'max-w-md', md: 'max-w-lg', lg: 'max-w-2xl' } as const;

export function DialogContent({ className, size = 'md', children, ...props }: ComponentProps<typeof DialogPrimitive.Content> & { size?: keyof typeof widths }) {
  return (
    <DialogPrimitive.Portal>
      <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-zinc-950/40 dark:bg-black/60" />
      <DialogPrimitive.Content
        className={cn(
          'fixed left-1/2 top-1/2 z-50 flex max-h-[calc(100dvh-2rem)] w-[calc(100vw-2rem)] -translate-x-1/2 -translate-y-1/2 flex-col',
          'overflow-y-auto rounded-lg border border-zinc-200 bg-white p-4 text-zinc-900 sm:p-6 shadow-xl focus:outline-none',
          widths[size],
          className,
        )}
        {...props}
      >
        {children}
      </DialogPrimitive.Content>
    </DialogPrimitive.Portal>
  );
}

export function DialogHeader({ className, ...props }: ComponentProps<'div'>) {
  return <div className={cn('mb-4 space-y-1.5', className)} {...props} />;
}

export function DialogTitle({ className, ...props }: ComponentProps<typeof DialogPrimitive.Title>) {
  return <DialogPrimitive.Title className={cn('text-lg font-semibold text-zinc-900', className)} {...props} />;
}

export function DialogDescription({ className, ...props }: ComponentProps<typeof DialogPrimitive.Description>) {
  return <DialogPrimitive.Description className={cn('text-sm text-zinc-600', className)} {...props} />;
}

/** The row of buttons at the bottom: the confirming one last (rightmost), stacked on phones. */
export function DialogFooter({ className, ...props }: ComponentProps<'div'>) {
  return <div className={cn('mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end', className)} {...props} />;
}

/**
 * The usual footer of a dialog that does one thing: "Cancel" and the action's button, both
 * disabled while it runs. Without `onClick` the action button submits the surrounding form.
 */
export function DialogActions(props: { busy: boolean; label: string; busyLabel: string; variant?: 'primary' | 'danger'; onClick?: () => void }) {
  return (
    <DialogFooter>
      <DialogClose asChild>
        <Button variant="secondary" disabled={props.busy}>
          Cancel
        </Button>
      </DialogClose>
      <Button type={props.onClick ? 'button' : 'submit'} variant={props.variant} onClick={props.onClick} disabled={props.busy}>
        {props.busy ? props.busyLabel : props.label}
      </Button>
    </DialogFooter>
  );
}
