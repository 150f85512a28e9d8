'use client';
/** "Remove member": the confirmation a member row's menu opens, loaded when first needed. */
import type { ReactNode } from 'react';
import { Alert } from '@/components/ui/alert';
import { Dialog, DialogActions, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCloseAutoFocus: (event: Event) => void;
  description: ReactNode;
  error: string | null;
  pending: boolean;
  onConfirm: () => void;
};

export function RemoveMemberDialog({ open, onOpenChange, onCloseAutoFocus, description, error, pending, onConfirm }: Props) {
  return (
    <Dialog open={open} onOpenChange={(next) => (pending ? undefined : onOpenChange(next))}>
      <DialogContent size="sm" onCloseAutoFocus={onCloseAutoFocus}>
        <DialogHeader>
          <DialogTitle>Remove member</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {error ? <Alert tone="error">{error}</Alert> : null}
        <DialogActions busy={pending} label="Remove" busyLabel="Removing…" variant="danger" onClick={onConfirm} />
      </DialogContent>
    </Dialog>
  );
}
