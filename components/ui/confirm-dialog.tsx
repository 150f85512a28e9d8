'use client';
/**
 * A dialog that asks before one irreversible action (delete a key, delete keys, remove a
 * member): its title and question, what else the action needs said or ticked (`children`), the
 * server's refusal if it gave one, and "Cancel" beside the action's button. While the action
 * runs, nothing closes it — not Escape, not a click outside, not Cancel — so its answer is never
 * lost. What the action does and what closing resets stay with the caller.
 */
import type { ReactNode } from 'react';
import { Alert } from './alert';
import { Dialog, DialogActions, DialogContent, DialogDescription, DialogHeader, DialogTitle } from './dialog';

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCloseAutoFocus?: (event: Event) => void;
  title: string;
  description: ReactNode;
  children?: ReactNode;
  error: string | null;
  pending: boolean;
  /** The action's button, e.g. "Delete", and what it says while the action runs, e.g. "Deleting…". */
  label: string;
  busyLabel: string;
  onConfirm: () => void;
};

export function ConfirmDialog({ open, onOpenChange, onCloseAutoFocus, title, description, children, error, pending, label, busyLabel, onConfirm }: Props) {
  return (
    <Dialog open={open} onOpenChange={(next) => (pending ? undefined : onOpenChange(next))}>
      <DialogContent size="sm" onCloseAutoFocus={onCloseAutoFocus}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {children}
        {error ? (
          <Alert tone="error" className={children ? 'mt-3' : undefined}>
            {error}
          </Alert>
        ) : null}
        <DialogActions busy={pending} label={label} busyLabel={busyLabel} variant="danger" onClick={onConfirm} />
      </DialogContent>
    </Dialog>
  );
}
