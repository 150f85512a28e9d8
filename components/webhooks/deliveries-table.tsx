/**
 * The deliveries table: one page of a project's webhook deliveries, newest first (paged by the
 * server). Shows each event's status, last HTTP status, attempts, next retry, duration and the
 * first bytes of the last answer (kept from public addresses only), or the class of error that
 * stopped it. Markup only: no state of its own.
 */
import Link from 'next/link';
import { RelativeTime } from '@/components/api-keys/relative-time';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { DeliveryPage, DeliveryRow } from '@/lib/webhooks/deliveries';
import { EVENT_LABELS } from '@/lib/webhooks/events';

function status(row: DeliveryRow): { label: string; tone: BadgeTone } {
  switch (row.status) {
    case 'delivered':
      return { label: 'Delivered', tone: 'info' };
    case 'failed':
      return { label: 'Failed', tone: 'danger' };
    case 'no_webhook_key':
      return { label: 'No webhook key', tone: 'warning' };
    case 'canceled':
      return { label: 'Canceled', tone: 'neutral' };
    default:
      return row.attempts > 0 ? { label: 'Retrying', tone: 'warning' } : { label: 'Pending', tone: 'neutral' };
  }
}

const PREVIEW_CHARS = 80;

function Response({ row }: { row: DeliveryRow }) {
  const text = row.lastError && row.status !== 'delivered' ? row.lastError : row.responseBody;
  if (!text) return <span className="text-zinc-500">—</span>;
  const short = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
  return (
    <code title={text} className="block max-w-[16rem] truncate whitespace-pre text-xs text-zinc-700">
      {short}
    </code>
  );
}

export function DeliveriesTable({ rows, serverNow }: { rows: DeliveryRow[]; serverNow: number }) {
  return (
    <Table aria-labelledby="deliveries-heading">
      <TableCaption className="sr-only">Webhook deliveries, newest first</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Event</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>HTTP status</TableHead>
          <TableHead>Attempts</TableHead>
          <TableHead>Next retry</TableHead>
          <TableHead>Duration</TableHead>
          <TableHead>Response</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => {
          const shown = status(row);
          return (
            <TableRow key={row.id}>
              <TableCell>
                <span className="block font-medium text-zinc-900">{EVENT_LABELS[row.eventType as keyof typeof EVENT_LABELS] ?? row.eventType}</span>
                <span className="block text-xs text-zinc-500">
                  <RelativeTime iso={row.createdAt} serverNow={serverNow} /> · <code title="webhook-id">{row.messageId}</code>
                </span>
              </TableCell>
              <TableCell>
                <Badge tone={shown.tone}>{shown.label}</Badge>
              </TableCell>
              <TableCell>{row.lastStatusCode ?? <span className="text-zinc-500">—</span>}</TableCell>
              <TableCell>{row.attempts}</TableCell>
              <TableCell>{row.nextAttemptAt ? <RelativeTime iso={row.nextAttemptAt} serverNow={serverNow} /> : <span className="text-zinc-500">—</span>}</TableCell>
              <TableCell>{row.lastDurationMs !== null ? `${row.lastDurationMs} ms` : <span className="text-zinc-500">—</span>}</TableCell>
              <TableCell>
                <Response row={row} />
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

const linkClass = 'inline-flex items-center rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-medium text-zinc-900 hover:bg-zinc-50';
const disabledClass = 'inline-flex items-center rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-sm font-medium text-zinc-500';

/** "Page X of Y" with "Previous page" / "Next page" links: plain links, so paging works without JavaScript. */
export function DeliveriesPagination({ page, path }: { page: Pick<DeliveryPage, 'page' | 'pageCount' | 'total' | 'totalIsCapped' | 'pageSize'>; path: string }) {
  const href = (n: number) => {
    const params = new URLSearchParams();
    if (n > 1) params.set('page', String(n));
    if (page.pageSize !== 20) params.set('pageSize', String(page.pageSize));
    const search = params.toString();
    return search ? `${path}?${search}` : path;
  };
  const more = page.totalIsCapped ? '+' : '';
  return (
    <nav aria-label="Deliveries pages" className="flex flex-wrap items-center justify-between gap-3 text-sm text-zinc-600">
      <p>
        {page.total}
        {more} {page.total === 1 && !more ? 'delivery' : 'deliveries'}
      </p>
      <div className="flex items-center gap-3">
        <p aria-live="polite">
          Page {page.page} of {page.pageCount}
          {more}
        </p>
        {page.page > 1 ? (
          <Link href={href(page.page - 1)} className={linkClass}>
            Previous page
          </Link>
        ) : (
          <span aria-disabled="true" className={disabledClass}>
            Previous page
          </span>
        )}
        {page.page < page.pageCount ? (
          <Link href={href(page.page + 1)} className={linkClass}>
            Next page
          </Link>
        ) : (
          <span aria-disabled="true" className={disabledClass}>
            Next page
          </span>
        )}
      </div>
    </nav>
  );
}
