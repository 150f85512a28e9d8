'use client';
/** "Add member": the button on the Team page; its dialog (add-member-button.tsx) loads when first reached. */
import { lazyDialogButton } from '@/components/ui/lazy-dialog';

const AddMemberDialogButton = lazyDialogButton(() => import('./add-member-button').then((module) => module.AddMemberDialog));

export function AddMemberButton({ slug }: { slug: string }) {
  return <AddMemberDialogButton dialog={{ slug }}>Add member</AddMemberDialogButton>;
}
