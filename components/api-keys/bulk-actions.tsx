'use client';
/**
 * The keys table's selection controls: the header's "Select all on this page" checkbox (mixed
 * when some rows are chosen) and, above the table, "Delete selected" with the count, which opens
 * the one confirmation for all of them.
 */
import dynamic from 'next/dynamic';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ApiKeyJson } from '@/lib/keys/json';
import { keysCount } from './keys-count';

// Its code arrives when "Delete selected" is first used, not with the page.
const DeleteKeysDialog = dynamic(() => import('./delete-keys-dialog').then((module) => module.DeleteKeysDialog), { ssr: false });

export function SelectAllCheckbox({ checked, indeterminate, onChange }: { checked: boolean; indeterminate: boolean; onChange: (checked: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  // `indeterminate` is a property only, never an attribute.
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select all on this page"
      checked={checked}
      onChange={(event) => onChange(event.target.checked)}
      className="size-4 align-middle accent-zinc-900"
    />
  );
}

export function BulkActions({ slug, selected, onDeleted }: { slug: string; selected: ApiKeyJson[]; onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const count = selected.length;
  return (
    <div className="flex min-h-9 flex-wrap items-center gap-3 text-sm text-zinc-600">
      {/* aria-disabled, not disabled: after a delete the focus stays here instead of falling to the page. */}
      <Button
        ref={button}
        variant="secondary"
        aria-disabled={count === 0}
        onClick={() => count > 0 && setOpen(true)}
        className="px-2.5 py-1.5 aria-disabled:cursor-not-allowed aria-disabled:text-zinc-500 aria-disabled:hover:bg-white"
      >
        Delete selected{count > 0 ? ` (${count})` : ''}
      </Button>
      <p aria-live="polite">{count > 0 ? `${keysCount(count)} selected on this page` : 'Select keys to delete several at once.'}</p>
      {open ? (
        <DeleteKeysDialog
          slug={slug}
          keys={selected}
          open
          onOpenChange={setOpen}
          onDeleted={onDeleted}
          // There is no Radix trigger to return to: focus comes back to this button, even once it is disabled.
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            button.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}
