'use client';
/**
 * A member row's menu, "Actions for {email}": make admin or member, and remove from the
 * project (after a confirmation). The last administrator's row says why neither is offered;
 * the server refuses it anyway.
 */
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { changeRoleAction, removeMemberAction } from '@/app/projects/[slug]/settings/team/actions';
import { Alert } from '@/components/ui/alert';
import { Dialog, DialogActions, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, RowMenuTrigger } from '@/components/ui/dropdown-menu';
import { ErrorDialog } from '@/components/ui/error-dialog';
import type { Member } from '@/lib/team/team';
import { reach } from '@/lib/ui/reach';

type Props = { slug: string; member: Member; isSelf: boolean; lastAdmin: boolean };

export function MemberRowActions({ slug, member, isSelf, lastAdmin }: Props) {
  const router = useRouter();
  const trigger = useRef<HTMLButtonElement>(null);
  const [pending, setPending] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nextRole = member.role === 'admin' ? 'member' : 'admin';

  async function run(call: () => Promise<{ ok: boolean; error?: string }>) {
    setPending(true);
    setError(null);
    const result = await call();
    setPending(false);
    if (!result.ok) return setError(result.error ?? 'Something went wrong.');
    setRemoving(false);
    router.refresh();
  }

  return (
    <>
      <DropdownMenu>
        <RowMenuTrigger ref={trigger} label={`Actions for ${member.email}`} busy={pending} />
        <DropdownMenuContent className="w-64">
          <DropdownMenuItem disabled={lastAdmin} onSelect={() => run(() => reach(changeRoleAction(slug, member.userId, { role: nextRole })))}>
            {nextRole === 'admin' ? 'Make admin' : 'Make member'}
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem disabled={lastAdmin} onSelect={() => setRemoving(true)} className="text-red-700 data-[highlighted]:bg-red-50">
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

      <Dialog open={removing} onOpenChange={(next) => (pending ? undefined : setRemoving(next))}>
        <DialogContent
          size="sm"
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            trigger.current?.focus();
          }}
        >
          <DialogHeader>
            <DialogTitle>Remove member</DialogTitle>
            <DialogDescription>
              Remove {member.email} from this project? They lose access at once. Their account stays, and so do the keys they created.
            </DialogDescription>
          </DialogHeader>
          {error ? <Alert tone="error">{error}</Alert> : null}
          <DialogActions busy={pending} label="Remove" busyLabel="Removing…" variant="danger" onClick={() => run(() => reach(removeMemberAction(slug, member.userId)))} />
        </DialogContent>
      </Dialog>

      <ErrorDialog
        error={removing ? null : error}
        title="Could not change the role"
        description={`${member.email} keeps the role ${member.role}.`}
        onClose={() => setError(null)}
      />
    </>
  );
}
