import type { Metadata } from 'next';
import { RenameProjectForm } from '@/components/projects/rename-project-form';
import { Alert } from '@/components/ui/alert';
import { requireProjectPage } from '@/lib/auth/session';
import { renameProjectAction } from './actions';

export const metadata: Metadata = { title: 'General settings' };

export default async function GeneralSettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { isAdmin, membership } = await requireProjectPage(slug, `/projects/${slug}/settings/general`);
  return (
    <section aria-labelledby="general-heading" className="space-y-6">
      <div>
        <h1 id="general-heading" className="text-2xl font-semibold">
          General
        </h1>
        <p className="mt-1 text-sm text-zinc-600">
          Project slug: <code>{membership.slug}</code>
        </p>
      </div>
      {isAdmin ? (
        <RenameProjectForm name={membership.name} rename={renameProjectAction.bind(null, membership.slug)} />
      ) : (
        <Alert tone="info">Only administrators can change project settings.</Alert>
      )}
    </section>
  );
}
