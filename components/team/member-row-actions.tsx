'use client';
/**
 * A member row's actions, "Actions for {email}": make admin or member, and remove from the project
 * (after a confirmation). The menu (member-row-menu.tsx) and the dialogs arrive when first needed,
 * not with the page. The last administrator's row says why neither is offered; the server refuses
 * it anyway.
 */
import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { changeRoleAction, removeMemberAction } from '@/app/projects/[slug]/settings/team/actions';
import { lazyMenu } from '@/components/ui/lazy-menu';
import { RowMenuButton } from '@/components/ui/row-menu-button';
import type { Member } from '@/lib/team/team';
import { reach } from '@/lib/ui/reach';
import type { MemberRowMenuProps } from './member-row-menu';

const MemberRowMenu = lazyMenu<MemberRowMenuProps>(
  () => import('./member-row-menu').then((module) => module.MemberRowMenu),
  ({ trigger }, standIn) => <RowMenuButton {...trigger} {...standIn} />,
);
const loadConfirmDialog = () => import('@/components/ui/confirm-dialog').then((module) => module.ConfirmDialog);
const ConfirmDialog = dynamic(loadConfirmDialog, { ssr: false });
const ErrorDialog = dynamic(() => import('@/components/ui/error-dialog').then((module) => module.ErrorDialog), { ssr: false });

type Props = { slug: string; member: Member; isSelf: boolean; lastAdmin: boolean };

export function MemberRowActions({ slug, member, isSelf, lastAdmin }: Props) {
  const router = useRouter();
  const trigger = useRef<HTMLButtonElement>(null);
  const [pending, setPending] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Each dialog stays mounted once shown, so that closing it runs its focus handling.
  const [used, setUsed] = useState<('remove' | 'error')[]>([]);
  const mount = (name: 'remove' | 'error') => setUsed((names) => (names.includes(name) ? names : [...names, name]));
  const nextRole = member.role === 'admin' ? 'member' : 'admin';

  async function run(call: () => Promise<{ ok: boolean; error?: string }>) {
    setPending(true);
    setError(null);
    const result = await call();
    setPending(false);
    if (!result.ok) {
      mount('error');
      return setError(result.error ?? 'Something went wrong.');
    }
    setRemoving(false);
    router.refresh();
  }

  return (
    <>
      <MemberRowMenu
        trigger={{ label: `Actions for ${member.email}`, busy: pending }}
        triggerRef={trigger}
        nextRole={nextRole}
        isSelf={isSelf}
        lastAdmin={lastAdmin}
        onOpen={() => void loadConfirmDialog()}
        onChoose={(choice) => {
          if (choice === 'role') return void run(() => reach(changeRoleAction(slug, member.userId, { role: nextRole })));
          mount('remove');
          setRemoving(true);
        }}
      />

      {used.includes('remove') ? (
        <ConfirmDialog
          open={removing}
          onOpenChange={setRemoving}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            trigger.current?.focus();
          }}
          title="Remove member"
          description={<>Remove {member.email} from this project? They lose access at once. Their account stays, and so do the keys they created.</>}
          error={error}
          pending={pending}
          label="Remove"
          busyLabel="Removing…"
          onConfirm={() => void run(() => reach(removeMemberAction(slug, member.userId)))}
        />
      ) : null}

      {used.includes('error') ? (
        <ErrorDialog
          error={removing ? null : error}
          title="Could not change the role"
          description={`${member.email} keeps the role ${member.role}.`}
          onClose={() => setError(null)}
        />
      ) : null}
    </>
  );
}
