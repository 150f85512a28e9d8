/**
 * Settings › Webhooks: administrators set the project's endpoint (URL, events, enabled), send a
 * test event and follow every delivery, paged by the server (`?page=`). The page says plainly
 * when nothing can be sent for want of a webhook key. Members see why they cannot act;
 * outsiders get a 404.
 */
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { AutoRefresh } from '@/components/webhooks/auto-refresh';
import { DeliveriesPagination, DeliveriesTable } from '@/components/webhooks/deliveries-table';
import { EndpointForm } from '@/components/webhooks/endpoint-form';
import { SendTestButton } from '@/components/webhooks/send-test-button';
import { Alert } from '@/components/ui/alert';
import { getDb } from '@/db/client';
import { clientAddress } from '@/lib/api/client-address';
import { requireProjectPage } from '@/lib/auth/session';
import { listDeliveries } from '@/lib/webhooks/deliveries';
import type { Actor } from '@/lib/auth/authorize';
import { getWebhookSettings, NO_ENDPOINT_MESSAGE } from '@/lib/webhooks/endpoint';
import { listDeliveriesQuery } from '@/lib/webhooks/schemas';

export const metadata: Metadata = { title: 'Webhooks' };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function WebhooksPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<SearchParams> }) {
  const { slug } = await params;
  const search = await searchParams;
  const query = listDeliveriesQuery.parse({ page: first(search.page), pageSize: first(search.pageSize) });
  const path = `/projects/${slug}/settings/webhooks`;
  const { user, isAdmin } = await requireProjectPage(slug, query.page > 1 ? `${path}?page=${query.page}` : path);

  const title = (
    <div>
      <h1 id="webhooks-heading" className="text-2xl font-semibold">
        Webhooks
      </h1>
      <p className="mt-1 text-sm text-zinc-600">Keyward tells your endpoint when a key is created, changed, rotated or deleted, signed with the webhook key.</p>
    </div>
  );
  if (!isAdmin) {
    return (
      <section aria-labelledby="webhooks-heading" className="space-y-6">
        {title}
        <Alert tone="info">Only administrators can manage webhooks</Alert>
      </section>
    );
  }

  const db = getDb();
  const admin: Actor = { type: 'user', userId: user.id, projectSlug: slug, clientAddress: clientAddress(await headers()) };
  const [settings, deliveries] = await Promise.all([getWebhookSettings(db, admin), listDeliveries(db, admin, query)]);
  const apiKeysHref = `/projects/${slug}/settings/api-keys`;
  const serverNow = new Date().getTime();
  // Worth watching: deliveries due within the minute (a retry an hour away is not).
  const underWay = deliveries.deliveries.some((row) => row.nextAttemptAt !== null && new Date(row.nextAttemptAt).getTime() < serverNow + 60_000);

  return (
    <section aria-labelledby="webhooks-heading" className="space-y-8">
      {title}
      {settings.webhookKey ? (
        <Alert tone="info">
          Deliveries are signed with the webhook key <strong>{settings.webhookKey.name}</strong> (<code>{settings.webhookKey.id}</code>): check{' '}
          <code>x-keyward-signature</code> with Retell&apos;s <code>verify(body, key, signature)</code>, or the <code>webhook-*</code> headers with a
          Standard Webhooks library, whose secret is the base64 of the key.
        </Alert>
      ) : (
        <Alert tone="warning">
          Nothing is sent yet: this project has no webhook key, and deliveries are signed with it. They wait as “No webhook key” until you choose
          one: open{' '}
          <Link href={apiKeysHref} className="font-medium underline underline-offset-2">
            API Keys
          </Link>{' '}
          and pick “Set as webhook key” in a key’s Actions menu.
        </Alert>
      )}

      <div className="space-y-6 rounded-lg border border-zinc-200 bg-white p-6 shadow-sm">
        <h2 className="text-base font-semibold text-zinc-900">Endpoint</h2>
        <EndpointForm slug={slug} initial={settings.endpoint && { url: settings.endpoint.url, events: settings.endpoint.events, enabled: settings.endpoint.enabled }} />
        <div className="border-t border-zinc-100 pt-5">
          <SendTestButton slug={slug} disabledReason={settings.endpoint ? undefined : NO_ENDPOINT_MESSAGE} />
        </div>
      </div>

      <div className="space-y-4">
        <h2 id="deliveries-heading" className="text-base font-semibold text-zinc-900">
          Deliveries
        </h2>
        <AutoRefresh active={underWay} />
        {deliveries.total === 0 ? (
          <p className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center text-sm text-zinc-600">
            No deliveries yet. Every key event and test event sent to your endpoint appears here, with each attempt’s result.
          </p>
        ) : (
          <>
            <DeliveriesTable rows={deliveries.deliveries} serverNow={serverNow} />
            <DeliveriesPagination page={deliveries} path={path} />
          </>
        )}
      </div>
    </section>
  );
}
