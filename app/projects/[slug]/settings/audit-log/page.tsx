import type { Metadata } from 'next';
import Link from 'next/link';
import { AuditEventsTable } from '@/components/audit/audit-events-table';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { getDb } from '@/db/client';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';
import { AUDIT_PAGE_SIZES, auditQuery, listAuditEvents, type AuditQuery } from '@/lib/audit/list';
import { requireProjectPage } from '@/lib/auth/session';
import { activeCatalogue } from '@/lib/permissions/load';

export const metadata: Metadata = { title: 'Audit log' };

type SearchParams = Record<string, string | string[] | undefined>;

const count = new Intl.NumberFormat('en-US');

/** The filters as URL parameters, without defaults, so links stay short. */
function params(query: AuditQuery, overrides: Partial<AuditQuery> = {}): string {
  const merged = { ...query, ...overrides };
  const search = new URLSearchParams();
  for (const name of ['action', 'actor', 'key', 'from', 'to'] as const) if (merged[name]) search.set(name, merged[name]);
  if (merged.page > 1) search.set('page', String(merged.page));
  if (merged.pageSize !== 25) search.set('pageSize', String(merged.pageSize));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export default async function AuditLogPage({ params: routeParams, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<SearchParams> }) {
  const { slug } = await routeParams;
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
  const query = auditQuery.parse(raw);
  const path = `/projects/${slug}/settings/audit-log`;
  const { user, isAdmin } = await requireProjectPage(slug, `${path}${params(query)}`);

  const title = (
    <div>
      <h1 id="audit-heading" className="text-2xl font-semibold">
        Audit log
      </h1>
      <p className="mt-1 text-sm text-zinc-600">Every change in this project, newest first. Events are never edited or deleted. Times are UTC.</p>
    </div>
  );
  if (!isAdmin) {
    return (
      <section aria-labelledby="audit-heading" className="space-y-6">
        {title}
        <Alert tone="info">Only administrators can view the audit log.</Alert>
      </section>
    );
  }

  const result = await listAuditEvents(getDb(), { type: 'user', userId: user.id, projectSlug: slug }, query);
  const shown = { ...query, page: result.page };
  const filtered = Boolean(query.action || query.actor || query.key || query.from || query.to);

  return (
    <section aria-labelledby="audit-heading" className="space-y-6">
      {title}
      <form method="get" action={path} role="search" aria-label="Filter events" className="grid gap-3 rounded-lg border border-zinc-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6">
        <div>
          <Label htmlFor="filter-action">Action</Label>
          <select id="filter-action" name="action" defaultValue={query.action ?? ''} className="mt-1 w-full rounded-md border border-zinc-300 bg-white px-2 py-2 text-sm">
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <div>
          <Label htmlFor="filter-actor">Actor</Label>
          <Input id="filter-actor" name="actor" defaultValue={query.actor ?? ''} placeholder="Email, key name or ID" className="mt-1" />
        </div>
        <div>
          <Label htmlFor="filter-key">Key ID</Label>
          <Input id="filter-key" name="key" defaultValue={query.key ?? ''} placeholder="key_…" className="mt-1" />
        </div>
        <div>
          <Label htmlFor="filter-from">From</Label>
          <Input id="filter-from" name="from" type="date" defaultValue={query.from ?? ''} className="mt-1" />
        </div>
        <div>
          <Label htmlFor="filter-to">To</Label>
          <Input id="filter-to" name="to" type="date" defaultValue={query.to ?? ''} className="mt-1" />
        </div>
        <div className="flex items-end gap-2">
          <input type="hidden" name="pageSize" value={query.pageSize} />
          <Button type="submit">Filter</Button>
          {filtered ? (
            <Link href={path} className="px-2 py-2 text-sm underline">
              Clear
            </Link>
          ) : null}
        </div>
      </form>

      <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-zinc-600">
        <p>
          {count.format(result.total)}
          {result.totalIsCapped ? '+' : ''} {result.total === 1 ? 'event' : 'events'}
        </p>
        <a href={`${path}/export${params(shown, { page: 1 })}`} className="font-medium text-zinc-900 underline underline-offset-2" download>
          Export CSV
        </a>
      </div>

      {result.events.length === 0 ? (
        <div className="rounded-lg border border-zinc-200 bg-white px-6 py-12 text-center text-sm text-zinc-600">
          {filtered ? 'No events match these filters.' : 'Nothing has happened in this project yet.'}
        </div>
      ) : (
        <AuditEventsTable events={result.events} caption="Audit events, newest first" catalogue={activeCatalogue()} />
      )}

      <nav aria-label="Pages" className="flex flex-wrap items-center justify-end gap-3 text-sm text-zinc-600">
        <p aria-live="polite">
          Page {result.page} of {result.pageCount}
          {result.totalIsCapped ? '+' : ''}
        </p>
        <PageLink href={result.page > 1 ? `${path}${params(shown, { page: result.page - 1 })}` : null}>Previous page</PageLink>
        <PageLink href={result.page < result.pageCount ? `${path}${params(shown, { page: result.page + 1 })}` : null}>Next page</PageLink>
        <form method="get" action={path} className="flex items-center gap-2">
          {(['action', 'actor', 'key', 'from', 'to'] as const).map((name) => (query[name] ? <input key={name} type="hidden" name={name} value={query[name]} /> : null))}
          <Label htmlFor="audit-page-size">Rows per page</Label>
          <select id="audit-page-size" name="pageSize" defaultValue={query.pageSize} className="rounded-md border border-zinc-300 bg-white px-2 py-1">
            {AUDIT_PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
          <Button type="submit" variant="secondary" className="px-2 py-1">
            Apply
          </Button>
        </form>
      </nav>
    </section>
  );
}

function PageLink({ href, children }: { href: string | null; children: string }) {
  if (!href) {
    return (
      <span aria-disabled="true" className="rounded-md border border-zinc-200 px-2.5 py-1.5 text-zinc-500">
        {children}
      </span>
    );
  }
  return (
    <Link href={href} className="rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-zinc-900 hover:bg-zinc-50">
      {children}
    </Link>
  );
}
