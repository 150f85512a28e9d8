/**
 * Settings › Usage, for administrators: the project's verifications over a range
 * (`?range=24h|7d|30d`, rendered on the server) and its top keys by volume and by refusals over
 * that range, each linking to its key's page (a key deleted since shows as "Deleted key").
 */
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { Alert } from '@/components/ui/alert';
import { UsagePanel } from '@/components/usage/usage-panel';
import { countFormat } from '@/components/usage/format';
import { getDb } from '@/db/client';
import { clientAddress } from '@/lib/api/client-address';
import { requireProjectPage } from '@/lib/auth/session';
import { getProjectUsage } from '@/lib/usage/query';
import type { TopKey } from '@/lib/usage/rankings';
import { USAGE_RANGES, usageRangeSchema } from '@/lib/usage/schemas';

export const metadata: Metadata = { title: 'Usage' };

type SearchParams = Record<string, string | string[] | undefined>;

function TopKeys({ slug, title, keys, first, empty }: { slug: string; title: string; keys: TopKey[]; first: 'total' | 'refused'; empty: string }) {
  const columns = first === 'total' ? (['total', 'refused'] as const) : (['refused', 'total'] as const);
  const names = { total: 'Verifications', refused: 'Refused' };
  return (
    <div className="min-w-0 space-y-2">
      <h3 className="text-sm font-semibold text-zinc-900">{title}</h3>
      {keys.length === 0 ? (
        <p className="rounded-lg border border-zinc-200 bg-white px-4 py-6 text-sm text-zinc-600">{empty}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Top keys {title.toLowerCase()}</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs text-zinc-600">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Key
                </th>
                {columns.map((column) => (
                  <th key={column} scope="col" className="px-3 py-2 text-right font-medium">
                    {names[column]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {keys.map((key, index) => (
                <tr key={key.id ?? `deleted-${index}`}>
                  <td className="max-w-[14rem] truncate px-3 py-2">
                    {key.id ? (
                      <Link href={`/projects/${slug}/settings/api-keys/${encodeURIComponent(key.id)}`} prefetch={false} className="font-medium text-zinc-900 underline-offset-2 hover:underline">
                        {key.name}
                      </Link>
                    ) : (
                      <span className="italic text-zinc-600">Deleted key</span>
                    )}
                  </td>
                  {columns.map((column) => (
                    <td key={column} className="px-3 py-2 text-right tabular-nums text-zinc-900">
                      {countFormat.format(key[column])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export default async function UsagePage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<SearchParams> }) {
  const { slug } = await params;
  const rangeParam = (await searchParams).range;
  const range = usageRangeSchema.parse(Array.isArray(rangeParam) ? rangeParam[0] : rangeParam);
  const { user, isAdmin, membership } = await requireProjectPage(slug, `/projects/${slug}/settings/usage?range=${range}`);

  const title = (
    <div>
      <h1 id="usage-heading" className="text-2xl font-semibold">
        Usage
      </h1>
      <p className="mt-1 text-sm text-zinc-600">How the keys of {membership.name} are being verified, and what was refused. Times are UTC.</p>
    </div>
  );
  if (!isAdmin) {
    return (
      <section aria-labelledby="usage-heading" className="space-y-6">
        {title}
        <Alert tone="info">Only administrators can view usage</Alert>
      </section>
    );
  }

  const usage = await getProjectUsage(getDb(), { type: 'user', userId: user.id, projectSlug: slug, clientAddress: clientAddress(await headers()) }, range);
  const span = USAGE_RANGES[range].title;

  return (
    <section aria-labelledby="usage-heading" className="space-y-8">
      {title}
      <UsagePanel series={usage} range={range} />
      <section aria-labelledby="top-keys-heading" className="space-y-3">
        <h2 id="top-keys-heading" className="text-lg font-semibold">
          Top keys
        </h2>
        <div className="grid gap-6 lg:grid-cols-2">
          <TopKeys slug={slug} title="By volume" keys={usage.byVolume} first="total" empty={`No verifications in the ${span}.`} />
          <TopKeys slug={slug} title="By refusals" keys={usage.byRefusals} first="refused" empty={`No refusals in the ${span}.`} />
        </div>
      </section>
    </section>
  );
}
