'use client';
/** A small dialog that reports an action that failed, with "Close"; open while `error` is set. */
import type { ReactNode } from 'react';
import { Alert } from './alert';
import { Button } from './button';
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from './dialog';

export function ErrorDialog(props: { error: string | null; title: string; description: ReactNode; onClose: () => void }) {
  return (
    <Dialog open={props.error !== null} onOpenChange={(next) => (next ? undefined : props.onClose())}>
      <DialogContent size="sm">
        <DialogHeader>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogDescription>{props.description}</DialogDescription>
        </DialogHeader>
        <Alert tone="error">{props.error}</Alert>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="secondary">Close</Button>
          </DialogClose>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
