import type { Metadata } from 'next';
import { Alert } from '@/components/ui/alert';
import { requireProjectPage } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'API Keys' };

export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { isAdmin, membership } = await requireProjectPage(slug, `/projects/${slug}/settings/api-keys`);
  return (
    <section aria-labelledby="api-keys-heading">
      <h1 id="api-keys-heading" className="text-2xl font-semibold">
        API Keys
      </h1>
      <p className="mt-1 text-sm text-zinc-600">Keys let your services call {membership.name} on your behalf.</p>
      {isAdmin ? null : (
        <Alert tone="info" className="mt-6">
          Only administrators can manage API keys
        </Alert>
      )}
    </section>
  );
}
