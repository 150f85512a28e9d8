'use client';
/**
 * A member row's menu itself (Radix), loaded when first needed (member-row-actions.tsx holds what
 * it does): make admin or member, and remove from the project. The last administrator's row says
 * why neither is offered.
 */
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, RowMenuTrigger } from '@/components/ui/dropdown-menu';
import type { LazyMenuProps } from '@/components/ui/lazy-menu';
import type { RowMenuButtonProps } from '@/components/ui/row-menu-button';

export type MemberMenuChoice = 'role' | 'remove';
export type MemberRowMenuProps = LazyMenuProps & {
  trigger: RowMenuButtonProps;
  nextRole: 'admin' | 'member';
  isSelf: boolean;
  lastAdmin: boolean;
  onOpen: () => void;
  onChoose: (choice: MemberMenuChoice) => void;
};

export function MemberRowMenu({ trigger, triggerRef, defaultOpen, nextRole, isSelf, lastAdmin, onOpen, onChoose }: MemberRowMenuProps) {
  return (
    <DropdownMenu defaultOpen={defaultOpen} onOpenChange={(open) => open && onOpen()}>
      <RowMenuTrigger ref={triggerRef} {...trigger} />
      <DropdownMenuContent className="w-64">
        <DropdownMenuItem disabled={lastAdmin} onSelect={() => onChoose('role')}>
          {nextRole === 'admin' ? 'Make admin' : 'Make member'}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem disabled={lastAdmin} onSelect={() => onChoose('remove')} className="text-red-700 data-[highlighted]:bg-red-50">
          {isSelf ? 'Leave project' : 'Remove from project'}
        </DropdownMenuItem>
        {lastAdmin ? (
          <>
            <DropdownMenuSeparator />
            <DropdownMenuLabel>The last administrator cannot be removed or made a member. Make someone else an administrator first.</DropdownMenuLabel>
          </>
        ) : null}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
