'use client';
/**
 * The keys table: one page of keys, already searched, sorted and paged by the server, laid out
 * with TanStack Table. Server-rendered, so it reads without JavaScript; sorting is a link per
 * column header (the URL is the state), never a client-side reorder. Each name links to the
 * key's page. The "Verifications (7 days)" cells arrive rendered by the server (`activity`), so
 * their drawing code never reaches the browser.
 */
import { createColumnHelper, FlexRender, rowSelectionFeature, rowSortingFeature, tableFeatures, useTable, type RowSelectionState } from '@tanstack/react-table';
import Link from 'next/link';
import { useState, type ReactNode } from 'react';
import { Badge } from '@/components/ui/badge';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { expiresInDays } from '@/lib/keys/expiry-days';
import type { ApiKeyJson } from '@/lib/keys/json';
import type { ListKeysQuery } from '@/lib/keys/schemas';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { cn } from '@/lib/ui/cn';
import { BulkActions, SelectAllCheckbox } from './bulk-actions';
import { KeyRowActions } from './key-row-actions';
import { LimitsSummary } from './limits-summary';
import { PermissionsSummary } from './permissions-summary';
import { DateText, RelativeTime, useNow } from './relative-time';

export type KeySort = ListKeysQuery['sort'];
export type SortState = { sort: KeySort; dir: ListKeysQuery['dir'] };

type TableMeta = { slug: string; catalogue: Catalogue; serverNow: number; warningDays: number; sortHrefs: Record<KeySort, string>; activity: Record<string, ReactNode> };

const features = tableFeatures({
  rowSortingFeature,
  rowSelectionFeature,
  tableMeta: {} as TableMeta,
  // Classes for a column's <th> and <td>.
  columnMeta: {} as { head?: string; cell?: string },
});
const column = createColumnHelper<typeof features, ApiKeyJson>();

function Expiry({ iso, serverNow, warningDays }: { iso: string | null; serverNow: number; warningDays: number }) {
  const now = useNow(serverNow);
  if (!iso) return <span className="text-zinc-500">Never</span>;
  const daysLeft = expiresInDays(iso, now, warningDays);
  if (daysLeft !== null) {
    return (
      <Badge tone="warning">
        <DateText iso={iso}>{`Expires in ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'}`}</DateText>
      </Badge>
    );
  }
  if (new Date(iso).getTime() > now) return <DateText iso={iso} />;
  return (
    <Badge tone="danger">
      <DateText iso={iso}>Expired</DateText>
    </Badge>
  );
}

const columns = column.columns([
  column.display({
    id: 'select',
    header: ({ table }) => (
      <SelectAllCheckbox
        checked={table.getIsAllPageRowsSelected()}
        indeterminate={table.getIsSomePageRowsSelected() && !table.getIsAllPageRowsSelected()}
        onChange={(checked) => table.toggleAllPageRowsSelected(checked)}
      />
    ),
    meta: { head: 'w-10 pr-0', cell: 'w-10 pr-0' },
    cell: ({ row }) => (
      <input
        type="checkbox"
        aria-label={`Select ${row.original.name}`}
        checked={row.getIsSelected()}
        onChange={(event) => row.toggleSelected(event.target.checked)}
        className="size-4 align-middle accent-zinc-900"
      />
    ),
  }),
  column.accessor('name', {
    id: 'name',
    header: 'Name',
    cell: ({ row, table }) => (
      // The badge wraps under a long name rather than widening the table.
      <div className="flex max-w-[9.5rem] flex-wrap items-center gap-x-2 gap-y-1">
        <Link
          href={`/projects/${table.options.meta!.slug}/settings/api-keys/${encodeURIComponent(row.original.id)}`}
          prefetch={false}
          className="block max-w-full truncate font-medium text-zinc-900 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-zinc-900"
          title={row.original.name}
        >
          {row.original.name}
        </Link>
        {row.original.webhook ? <Badge tone="info">Webhook key</Badge> : null}
      </div>
    ),
  }),
  column.accessor('id', {
    id: 'key_id',
    header: 'Key ID',
    enableSorting: false,
    cell: ({ getValue }) => <code className="whitespace-nowrap font-mono text-[11px] text-zinc-600">{getValue()}</code>,
  }),
  column.display({
    id: 'key',
    header: 'Key',
    cell: ({ row, table }) => (
      <div>
        <code className="whitespace-nowrap rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-800">
          {row.original.start}…{row.original.last4}
        </code>
        {row.original.previousSecretExpiresAt ? (
          <p className="mt-1 text-xs text-amber-700">
            Previous secret expires <RelativeTime iso={row.original.previousSecretExpiresAt} serverNow={table.options.meta!.serverNow} />
          </p>
        ) : null}
      </div>
    ),
  }),
  column.accessor('createdAt', {
    id: 'created',
    header: 'Created',
    meta: { cell: 'whitespace-nowrap' },
    cell: ({ getValue }) => <DateText iso={getValue()} />,
  }),
  column.accessor('lastUsedAt', {
    id: 'last_used',
    header: 'Last used',
    meta: { cell: 'whitespace-nowrap' },
    cell: ({ getValue, table }) => {
      const iso = getValue();
      return iso ? <RelativeTime iso={iso} serverNow={table.options.meta!.serverNow} /> : <span className="text-zinc-500">Never</span>;
    },
  }),
  // Before the usage and expiry columns: what a key may do stays in view at a laptop's width.
  column.accessor('permissions', {
    id: 'permissions',
    header: 'Permissions',
    enableSorting: false,
    cell: ({ getValue, row, table }) => (
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <PermissionsSummary keyId={row.original.id} catalogue={table.options.meta!.catalogue} permissions={getValue()} />
        <LimitsSummary limits={row.original} />
      </div>
    ),
  }),
  column.display({
    id: 'verifications',
    header: 'Verifications (7 days)',
    meta: { cell: 'whitespace-nowrap' },
    cell: ({ row, table }) => table.options.meta!.activity[row.original.id] ?? null,
  }),
  column.accessor('expiresAt', {
    id: 'expires',
    header: 'Expires',
    enableSorting: false,
    meta: { cell: 'whitespace-nowrap' },
    cell: ({ getValue, table }) => <Expiry iso={getValue()} serverNow={table.options.meta!.serverNow} warningDays={table.options.meta!.warningDays} />,
  }),
  column.display({
    id: 'actions',
    header: () => <span className="sr-only">Actions</span>,
    // Stays in view when a narrow window scrolls the table sideways.
    meta: { head: 'sticky right-0 w-12 bg-zinc-50', cell: 'sticky right-0 w-12 bg-white group-hover:bg-zinc-50' },
    cell: ({ row, table }) => (
      // Pulled up so that the button sits on the text line of the other cells.
      <div className="-my-1.5 flex justify-end">
        <KeyRowActions slug={table.options.meta!.slug} catalogue={table.options.meta!.catalogue} apiKey={row.original} />
      </div>
    ),
  }),
]);

const SORT_LABELS: Record<KeySort, string> = { name: 'name', created: 'creation date', last_used: 'last use' };

function SortIcon({ direction }: { direction: false | 'asc' | 'desc' }) {
  return (
    <svg aria-hidden viewBox="0 0 16 16" className={cn('size-3.5', direction ? 'text-zinc-900' : 'text-zinc-300 group-hover:text-zinc-500')} fill="none" stroke="currentColor" strokeWidth="1.75">
      {direction !== 'desc' ? <path d="M5 6.5l3-3 3 3" /> : null}
      {direction !== 'asc' ? <path d="M5 9.5l3 3 3-3" /> : null}
    </svg>
  );
}

type Props = {
  slug: string;
  catalogue: Catalogue;
  keys: ApiKeyJson[];
  sort: SortState;
  sortHrefs: Record<KeySort, string>;
  serverNow: number;
  /** Each key's "Verifications (7 days)" cell, by key id, rendered on the server. */
  activity: Record<string, ReactNode>;
  /** Keys expiring within this many days say "Expires in N days". */
  warningDays: number;
};

/**
 * The selection is of this page only: the page remounts the table (its `key`) for another page,
 * search, sort or size, and a refresh that drops a key drops it from the selection too.
 */
export function KeysTable({ slug, catalogue, keys, sort, sortHrefs, serverNow, activity, warningDays }: Props) {
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const table = useTable({
    features,
    columns,
    data: keys,
    getRowId: (key) => key.id,
    manualSorting: true,
    enableSortingRemoval: false,
    // A shift-click is no range here: each checkbox is its own choice, as a keyboard makes it.
    enableRowRangeSelection: false,
    state: { sorting: [{ id: sort.sort, desc: sort.dir === 'desc' }], rowSelection },
    onRowSelectionChange: setRowSelection,
    meta: { slug, catalogue, serverNow, warningDays, sortHrefs, activity },
  });
  const selected = keys.filter((key) => rowSelection[key.id]);

  return (
    <div className="space-y-3">
    <BulkActions slug={slug} selected={selected} onDeleted={() => setRowSelection({})} />
    <Table>
      <TableCaption className="sr-only">
        API keys, sorted by {SORT_LABELS[sort.sort]}, {sort.dir === 'asc' ? 'ascending' : 'descending'}
      </TableCaption>
      <TableHeader>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => {
              const direction = header.column.getIsSorted();
              const id = header.column.id;
              const href = header.column.getCanSort() && id in sortHrefs ? sortHrefs[id as KeySort] : undefined;
              return (
                <TableHead
                  key={header.id}
                  colSpan={header.colSpan}
                  aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : undefined}
                  className={header.column.columnDef.meta?.head}
                >
                  {header.isPlaceholder ? null : href ? (
                    <Link href={href} scroll={false} prefetch={false} className="group -mx-1 inline-flex items-center gap-1 rounded px-1 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-zinc-900">
                      <FlexRender header={header} />
                      <SortIcon direction={direction} />
                    </Link>
                  ) : (
                    <FlexRender header={header} />
                  )}
                </TableHead>
              );
            })}
          </tr>
        ))}
      </TableHeader>
      <TableBody>
        {table.getRowModel().rows.map((row) => (
          <TableRow key={row.id} className="group">
            {row.getAllCells().map((cell) => (
              <TableCell key={cell.id} className={cell.column.columnDef.meta?.cell}>
                <FlexRender cell={cell} />
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
    </div>
  );
}
