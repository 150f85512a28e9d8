'use client';
/** "Create API key": the button on the API Keys page; its dialog (create-key-button.tsx) loads when first reached. */
import { lazyDialogButton } from '@/components/ui/lazy-dialog';
import type { Catalogue } from '@/lib/permissions/catalogue';

const CreateKeyDialogButton = lazyDialogButton(() => import('./create-key-button').then((module) => module.CreateKeyDialog));

export function CreateKeyButton({ slug, catalogue }: { slug: string; catalogue: Catalogue }) {
  return <CreateKeyDialogButton dialog={{ slug, catalogue }}>Create API key</CreateKeyDialogButton>;
}
