'use client';
/**
 * A key row's menu itself (Radix), loaded when first needed (key-row-actions.tsx holds what it
 * opens): Edit limits (or "Edit permissions and limits" where the catalogue allows editing
 * permissions; otherwise the menu says why a new key is needed for other permissions), Rotate,
 * Set as webhook key (disabled on the current one) and Delete.
 */
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  RowMenuTrigger,
} from '@/components/ui/dropdown-menu';
import type { LazyMenuProps } from '@/components/ui/lazy-menu';
import type { RowMenuButtonProps } from '@/components/ui/row-menu-button';

export type KeyMenuChoice = 'edit' | 'rotate' | 'webhook' | 'delete';
export type KeyRowMenuProps = LazyMenuProps & { trigger: RowMenuButtonProps; editLabel: string; editable: boolean; webhook: boolean; onOpen: () => void; onChoose: (choice: KeyMenuChoice) => void };

export function KeyRowMenu({ trigger, triggerRef, defaultOpen, editLabel, editable, webhook, onOpen, onChoose }: KeyRowMenuProps) {
  return (
    <DropdownMenu defaultOpen={defaultOpen} onOpenChange={(open) => open && onOpen()}>
      <RowMenuTrigger ref={triggerRef} {...trigger} />
      <DropdownMenuContent className="w-60">
        <DropdownMenuItem onSelect={() => onChoose('edit')}>{editLabel}</DropdownMenuItem>
        <DropdownMenuItem onSelect={() => onChoose('rotate')}>Rotate</DropdownMenuItem>
        <DropdownMenuItem disabled={webhook} onSelect={() => onChoose('webhook')} className="justify-between">
          Set as webhook key
          {webhook ? <span className="text-xs text-zinc-500">(current)</span> : null}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => onChoose('delete')} className="text-red-700 data-[highlighted]:bg-red-50">
          Delete
        </DropdownMenuItem>
        {editable ? null : (
          <>
            <DropdownMenuSeparator />
            <DropdownMenuLabel>Permissions cannot be changed after a key is created. To change them, create a new key and delete this one.</DropdownMenuLabel>
          </>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
