/**
 * A key's own page, for administrators: its facts (id, masked key, who created it and when, its
 * expiry, its last use and from where, its permissions in full, its limits, the webhook badge), its usage
 * over a range (`?range=24h|7d|30d`, rendered on the server), its history in the audit log, and
 * the row menu's actions. Members see why they cannot; another project's key, or none, is a 404.
 */
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { KeyRowActions } from '@/components/api-keys/key-row-actions';
import { rateLimitText, usageText } from '@/components/api-keys/limit-text';
import { PermissionsTable } from '@/components/api-keys/permissions-table';
import { DateText, RelativeTime } from '@/components/api-keys/relative-time';
import { AuditEventsTable } from '@/components/audit/audit-events-table';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { UsagePanel } from '@/components/usage/usage-panel';
import { getDb } from '@/db/client';
import { clientAddress } from '@/lib/api/client-address';
import { auditQuery, listAuditEvents } from '@/lib/audit/list';
import type { Actor } from '@/lib/auth/authorize';
import { requireProjectPage } from '@/lib/auth/session';
import { hasErrorCode } from '@/lib/errors';
import { expiresInDays, expiryWarningDays } from '@/lib/keys/expiry-warning';
import { getKeyDetails, type KeyCreator, type KeyDetails } from '@/lib/keys/key-details';
import { resourcesOf } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { getKeyUsage, rangeInput } from '@/lib/usage/query';
import { usageRangeSchema } from '@/lib/usage/schemas';

export const metadata: Metadata = { title: 'API key' };

const HISTORY_SIZE = 25;

function creatorText(creator: KeyCreator): string {
  switch (creator.type) {
    case 'user':
      return creator.email;
    case 'api_key':
      return `API key “${creator.name}”${creator.id ? ` (${creator.id})` : ''}`;
    case 'operator':
      return 'the operator';
    case 'unknown':
      return 'someone no longer on record';
  }
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-zinc-500">{term}</dt>
      <dd className="mt-1 break-words text-sm text-zinc-900">{children}</dd>
    </div>
  );
}

function Expiry({ iso, serverNow }: { iso: string | null; serverNow: number }) {
  if (!iso) return <span className="text-zinc-600">Never</span>;
  if (Date.parse(iso) <= serverNow) {
    return (
      <Badge tone="danger">
        <DateText iso={iso}>Expired</DateText>
      </Badge>
    );
  }
  const days = expiresInDays(iso, serverNow, expiryWarningDays());
  return (
    <span className="flex flex-wrap items-center gap-2">
      <DateText iso={iso} />
      {days === null ? null : <Badge tone="warning">Expires in {days === 1 ? '1 day' : `${days} days`}</Badge>}
    </span>
  );
}

function Facts({ details, serverNow }: { details: KeyDetails; serverNow: number }) {
  const { key } = details;
  return (
    <dl className="grid gap-x-8 gap-y-4 rounded-lg border border-zinc-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-3">
      <Fact term="Key ID">
        <code className="font-mono text-xs">{key.id}</code>
      </Fact>
      <Fact term="Key">
        <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs">
          {key.start}…{key.last4}
        </code>
        {key.previousSecretExpiresAt ? (
          <span className="mt-1 block text-xs text-amber-800">
            Previous secret expires <RelativeTime iso={key.previousSecretExpiresAt} serverNow={serverNow} />
          </span>
        ) : null}
      </Fact>
      <Fact term="Created">
        <DateText iso={key.createdAt} /> by {creatorText(details.createdBy)}
      </Fact>
      <Fact term="Expires">
        <Expiry iso={key.expiresAt} serverNow={serverNow} />
      </Fact>
      <Fact term="Last used">
        {key.lastUsedAt ? (
          <>
            <RelativeTime iso={key.lastUsedAt} serverNow={serverNow} />
            {details.lastUsedAddress ? (
              <>
                {' '}
                from <code className="font-mono text-xs">{details.lastUsedAddress}</code>
              </>
            ) : null}
          </>
        ) : (
          <span className="text-zinc-600">Never</span>
        )}
      </Fact>
    </dl>
  );
}

function Limits({ details }: { details: KeyDetails }) {
  const { allowedAddresses, rateLimit, usage } = details.key;
  const none = <span className="text-zinc-600">Unlimited</span>;
  return (
    <dl className="grid gap-x-8 gap-y-4 rounded-lg border border-zinc-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-3">
      <Fact term="Allowed addresses">
        {allowedAddresses ? (
          <ul className="flex flex-wrap gap-1.5">
            {allowedAddresses.map((entry) => (
              <li key={entry}>
                <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs">{entry}</code>
              </li>
            ))}
          </ul>
        ) : (
          <span className="text-zinc-600">Any address</span>
        )}
      </Fact>
      <Fact term="Rate limit">{rateLimit ? rateLimitText(rateLimit) : none}</Fact>
      <Fact term="Usage limit">{usage ? usageText(usage, details.usageCap) : none}</Fact>
    </dl>
  );
}

type SearchParams = Record<string, string | string[] | undefined>;

export default async function KeyPage({ params, searchParams }: { params: Promise<{ slug: string; keyId: string }>; searchParams: Promise<SearchParams> }) {
  const { slug, keyId } = await params;
  const rangeParam = (await searchParams).range;
  const range = usageRangeSchema.parse(Array.isArray(rangeParam) ? rangeParam[0] : rangeParam);
  const listPath = `/projects/${slug}/settings/api-keys`;
  const path = `${listPath}/${encodeURIComponent(keyId)}`;
  const { user, isAdmin } = await requireProjectPage(slug, `${path}?range=${range}`);

  if (!isAdmin) {
    return (
      <section aria-labelledby="key-heading" className="grid gap-6">
        <h1 id="key-heading" className="text-2xl font-semibold">
          API key
        </h1>
        <Alert tone="info">Only administrators can manage API keys</Alert>
      </section>
    );
  }

  const db = getDb();
  const catalogue = activeCatalogue();
  const actor: Actor = { type: 'user', userId: user.id, projectSlug: slug, clientAddress: clientAddress(await headers()) };
  let details: KeyDetails;
  try {
    details = await getKeyDetails(db, actor, keyId, { catalogue });
  } catch (error) {
    if (hasErrorCode(error, 'not_found')) notFound();
    throw error;
  }
  const { key } = details;
  const [usage, history] = await Promise.all([
    getKeyUsage(db, actor, key.id, rangeInput(range)),
    listAuditEvents(db, actor, auditQuery.parse({ key: key.id, pageSize: HISTORY_SIZE })),
  ]);
  const serverNow = new Date().getTime();

  return (
    <article aria-labelledby="key-heading" className="space-y-8">
      <div className="space-y-3">
        <Link href={listPath} className="text-sm text-zinc-700 underline-offset-2 hover:underline">
          ← All keys
        </Link>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0">
            <h1 id="key-heading" className="break-words text-2xl font-semibold">
              {key.name}
            </h1>
            {key.webhook ? (
              <div className="mt-2">
                <Badge tone="info">Webhook key</Badge>
              </div>
            ) : null}
          </div>
          <KeyRowActions slug={slug} catalogue={catalogue} apiKey={key} text="Actions" leaveTo={listPath} />
        </div>
      </div>

      <Facts details={details} serverNow={serverNow} />

      <section aria-labelledby="permissions-heading" className="space-y-3">
        <h2 id="permissions-heading" className="text-lg font-semibold">
          Permissions
        </h2>
        {key.permissions === null ? (
          <Alert tone="warning">
            <Badge tone="warning">Full access</Badge> This key can read and change every resource in this project ({resourcesOf(catalogue).length} of them).
          </Alert>
        ) : (
          <PermissionsTable catalogue={catalogue} grants={key.permissions} caption={`What “${key.name}” may do, per resource`} />
        )}
      </section>

      <section aria-labelledby="limits-heading" className="space-y-3">
        <h2 id="limits-heading" className="text-lg font-semibold">
          Limits
        </h2>
        <Limits details={details} />
      </section>

      <section aria-labelledby="usage-heading" className="space-y-3">
        <h2 id="usage-heading" className="text-lg font-semibold">
          Usage
        </h2>
        <UsagePanel series={usage} range={range} />
      </section>

      <section aria-labelledby="history-heading" className="space-y-3">
        <h2 id="history-heading" className="text-lg font-semibold">
          History
        </h2>
        {history.events.length === 0 ? (
          <p className="text-sm text-zinc-600">No events about this key.</p>
        ) : (
          <AuditEventsTable events={history.events} caption={`Events about “${key.name}”, newest first`} catalogue={catalogue} showTarget={false} />
        )}
        {history.total > history.events.length ? (
          <Link href={`/projects/${slug}/settings/audit-log?key=${encodeURIComponent(key.id)}`} className="inline-block text-sm font-medium text-zinc-900 underline underline-offset-2">
            All {history.totalIsCapped ? `${history.total}+` : history.total} events in the audit log
          </Link>
        ) : null}
      </section>
    </article>
  );
}
