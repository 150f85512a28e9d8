/**
 * Settings › API Keys: administrators get one page of the project's keys (searched, sorted and
 * paged in the database, all state in the URL) with create, row actions, search and paging, and
 * a banner counting the keys that expire soon, which filters the list to them (`?expiring=7d`);
 * members see why they cannot; outsiders get a 404. Owns the page's URL rules: which parameters
 * each link and form keeps, defaults left out.
 */
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { CreateKeyButton } from '@/components/api-keys/create-key';
import { ExpiringFilterNote, ExpiringKeysBanner, withinDays } from '@/components/api-keys/expiring-keys-notice';
import { LIST_HEADING_ID } from '@/components/api-keys/ids';
import { KeysPagination } from '@/components/api-keys/keys-pagination';
import { KeysTable, type KeySort } from '@/components/api-keys/keys-table';
import { KeysToolbar } from '@/components/api-keys/keys-toolbar';
import { UsingYourKey } from '@/components/api-keys/using-your-key';
import { Alert } from '@/components/ui/alert';
import { KeyActivityCell } from '@/components/usage/key-activity';
import { getDb } from '@/db/client';
import { requireProjectPage } from '@/lib/auth/session';
import { clientAddress } from '@/lib/api/client-address';
import { publicUrl } from '@/lib/config/public-url';
import type { Actor } from '@/lib/auth/authorize';
import { countExpiringKeys } from '@/lib/keys/expiring';
import { expiryWarningDays } from '@/lib/keys/expiry-warning';
import { listKeys } from '@/lib/keys/list';
import { listKeysQuery, SORTS, type ListKeysQuery } from '@/lib/keys/schemas';
import { levelsOf, resourcesOf } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { getKeysActivity } from '@/lib/usage/query';
import { cn } from '@/lib/ui/cn';

export const metadata: Metadata = { title: 'API Keys' };

type SearchParams = Record<string, string | string[] | undefined>;
type Params = Record<string, string>;

/** The query as URL parameters, defaults left out (page 1, newest first, 10 rows, no filter). */
function urlParams(query: ListKeysQuery, drop: ('q' | 'expiring' | 'page' | 'pageSize')[] = []): Params {
  const out: Params = {};
  if (query.q && !drop.includes('q')) out.q = query.q;
  if (query.expiring && !drop.includes('expiring')) out.expiring = `${query.expiring}d`;
  if (query.sort !== 'created' || query.dir !== 'desc') Object.assign(out, { sort: query.sort, dir: query.dir });
  if (query.pageSize !== 10 && !drop.includes('pageSize')) out.pageSize = String(query.pageSize);
  if (query.page > 1 && !drop.includes('page')) out.page = String(query.page);
  return out;
}

function href(path: string, params: Params): string {
  const search = new URLSearchParams(params).toString();
  return search ? `${path}?${search}` : path;
}

/** A header link sorts by its column: the other way round if it already does, else its natural first direction. */
function sortHrefs(path: string, query: ListKeysQuery): Record<KeySort, string> {
  const first: Record<KeySort, ListKeysQuery['dir']> = { name: 'asc', created: 'desc', last_used: 'desc' };
  const entries = SORTS.map((sort) => {
    const dir = query.sort === sort ? (query.dir === 'asc' ? 'desc' : 'asc') : first[sort];
    return [sort, href(path, urlParams({ ...query, sort, dir, page: 1 }))] as const;
  });
  return Object.fromEntries(entries) as Record<KeySort, string>;
}

const firstValues = (params: SearchParams) => Object.fromEntries(Object.entries(params).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));

export default async function ApiKeysPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<SearchParams> }) {
  const { slug } = await params;
  const values = firstValues(await searchParams);
  const query = listKeysQuery.parse(values);
  const path = `/projects/${slug}/settings/api-keys`;
  const { user, isAdmin, membership } = await requireProjectPage(slug, href(path, urlParams(query)));

  const title = (
    <div className="col-start-1 row-start-1 min-w-0">
      {/* Focusable from script only: where focus goes after a key's row is deleted. */}
      <h1 id={LIST_HEADING_ID} tabIndex={-1} className="text-2xl font-semibold focus:outline-none">
        API Keys
      </h1>
      <p className="mt-1 text-sm text-zinc-600">Keys let your services call {membership.name} on your behalf.</p>
    </div>
  );
  if (!isAdmin) {
    return (
      <section aria-labelledby={LIST_HEADING_ID} className="grid gap-6">
        {title}
        <Alert tone="info">Only administrators can manage API keys</Alert>
      </section>
    );
  }

  const catalogue = activeCatalogue();
  const actor: Actor = { type: 'user', userId: user.id, projectSlug: slug, clientAddress: clientAddress(await headers()) };
  // `cursor` (from "Previous page" / "Next page") lets the page seek instead of counting its way there.
  const now = new Date();
  const result = await listKeys(getDb(), actor, { ...query, cursor: values.cursor }, { catalogue, now });
  const shown = { ...query, page: result.page };
  // One query for the whole page's "Verifications (7 days)", never one per row.
  const activity = await getKeysActivity(getDb(), actor, result.keys.map((key) => key.id));
  const activityCells = Object.fromEntries([...activity].map(([id, counts]) => [id, <KeyActivityCell key={id} activity={counts} />]));
  const empty = !query.q && !query.expiring && result.total === 0 && result.keys.length === 0;
  const serverNow = now.getTime();
  const warningDays = expiryWarningDays();
  const expiringCount = query.expiring ? 0 : await countExpiringKeys(getDb(), actor, warningDays, { catalogue, now });

  // The create button keeps one place in the tree (the grid's third child) whether the empty state
  // shows or not, so its "Save your API key" dialog survives the refresh after the first key.
  return (
    <section aria-labelledby={LIST_HEADING_ID} className="grid grid-cols-[minmax(0,1fr)_auto] gap-x-4 gap-y-6">
      {title}
      {empty ? (
        <div className="col-span-2 col-start-1 row-start-2 flex flex-col items-center rounded-lg border border-dashed border-zinc-300 bg-white px-6 pb-24 pt-12 text-center">
          <svg aria-hidden viewBox="0 0 24 24" className="size-10 text-zinc-400" fill="none" stroke="currentColor" strokeWidth="1.5">
            <circle cx="8" cy="15" r="4" />
            <path d="M10.8 12.2L20 3M16 7l3 3M14 9l2 2" strokeLinecap="round" />
          </svg>
          {/* Not "No API keys yet": the heading "API Keys" must name one heading on this page (DESIGN.md, console contract). */}
          <h2 className="mt-4 text-base font-semibold text-zinc-900">No keys yet</h2>
          <p className="mt-1 max-w-md text-sm text-zinc-600">
            Create your first key to let your services call {membership.name}. Its secret is shown once, right after you create it.
          </p>
        </div>
      ) : null}
      <div className={cn(empty ? 'col-span-2 col-start-1 row-start-2 mb-10 self-end justify-self-center' : 'col-start-2 row-start-1 self-start')}>
        <CreateKeyButton slug={slug} catalogue={catalogue} />
      </div>
      {empty ? null : (
        <div className="col-span-2 min-w-0 space-y-4">
          {query.expiring ? (
            <ExpiringFilterNote days={query.expiring} allKeysHref={href(path, urlParams(shown, ['expiring', 'page']))} />
          ) : (
            <ExpiringKeysBanner count={expiringCount} days={warningDays} href={href(path, urlParams({ ...shown, expiring: warningDays }, ['q', 'page']))} />
          )}
          <KeysToolbar
            action={path}
            q={query.q}
            pageSize={query.pageSize}
            keepForSearch={urlParams(shown, ['q', 'page'])}
            keepForPageSize={urlParams(shown, ['pageSize', 'page'])}
          />
          {result.keys.length === 0 ? (
            <div className="rounded-lg border border-zinc-200 bg-white px-6 py-12 text-center">
              <p className="font-medium text-zinc-900">
                {query.expiring && query.q ? `No keys that expire ${withinDays(query.expiring)} match “${query.q}”.` : null}
                {query.expiring && !query.q ? `No keys expire ${withinDays(query.expiring)}.` : null}
                {query.q && !query.expiring ? `No keys match “${query.q}”.` : null}
              </p>
              {query.q ? (
                <p className="mt-1 text-sm text-zinc-600">
                  Check the spelling, or{' '}
                  <Link href={href(path, urlParams(shown, ['q', 'page']))} className="font-medium text-zinc-900 underline underline-offset-2">
                    clear the search
                  </Link>
                  .
                </p>
              ) : null}
            </div>
          ) : (
            <>
              <KeysTable
                // Another page, search, sort or size starts with nothing selected.
                key={href(path, urlParams(shown))}
                slug={slug}
                catalogue={catalogue}
                keys={result.keys}
                sort={{ sort: query.sort, dir: query.dir }}
                sortHrefs={sortHrefs(path, shown)}
                serverNow={serverNow}
                activity={activityCells}
                warningDays={warningDays}
              />
              <KeysPagination
                action={path}
                keep={urlParams(shown, ['page'])}
                page={result.page}
                pageCount={result.pageCount}
                total={result.total}
                totalIsCapped={result.totalIsCapped}
                totalIsEstimate={result.totalIsEstimate}
                previousCursor={result.previousCursor}
                nextCursor={result.nextCursor}
              />
            </>
          )}
        </div>
      )}
      <div className="col-span-2">
        <UsingYourKey baseUrl={publicUrl(await headers())} resource={resourcesOf(catalogue).find((resource) => levelsOf(resource).includes('read'))?.id} />
      </div>
    </section>
  );
}
