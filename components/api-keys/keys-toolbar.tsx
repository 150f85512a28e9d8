'use client';
/**
 * Above the keys table: the "Search keys" box and the "Rows per page" select. Both are GET forms
 * that work without JavaScript; with it, typing updates `?q=` after a 300 ms pause and a new page
 * size applies at once, both back on page 1. Which other URL parameters to keep comes from the
 * page (`keep*`), so the URL rules live in one place.
 */
import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { PAGE_SIZES } from '@/lib/keys/list-options';

type Params = Record<string, string>;

function hrefWith(action: string, keep: Params, extra: Params): string {
  const params = new URLSearchParams({ ...keep, ...extra });
  const search = params.toString();
  return search ? `${action}?${search}` : action;
}

function Hidden({ params }: { params: Params }) {
  return Object.entries(params).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />);
}

function SearchForm({ action, q, keep }: { action: string; q: string; keep: Params }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [value, setValue] = useState(q);
  // The q this box last asked for, and the q it last saw in the URL: a change of URL that this
  // box did not ask for (a "clear search" link, the back button) replaces what is typed; one that
  // lands while this box's own navigation is under way is an older answer to it, and does not.
  const [requested, setRequested] = useState(q);
  const [seen, setSeen] = useState(q);
  if (q !== seen) {
    setSeen(q);
    if (q !== requested && !pending) {
      setRequested(q);
      setValue(q);
    }
  }

  useEffect(() => {
    const next = value.trim();
    if (next === q) return;
    const timer = setTimeout(() => {
      setRequested(next);
      startTransition(() => router.replace(hrefWith(action, keep, next ? { q: next } : {}), { scroll: false }));
    }, 300);
    return () => clearTimeout(timer);
  }, [value, q, action, keep, router]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = value.trim();
    setRequested(next);
    startTransition(() => router.replace(hrefWith(action, keep, next ? { q: next } : {}), { scroll: false }));
  }

  return (
    <form role="search" method="get" action={action} onSubmit={submit} className="relative w-full sm:max-w-xs">
      <Hidden params={keep} />
      <label htmlFor="keys-search" className="sr-only">
        Search keys
      </label>
      <svg aria-hidden viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.75" className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-zinc-400">
        <circle cx="9" cy="9" r="5.5" />
        <path d="M13.5 13.5L17 17" strokeLinecap="round" />
      </svg>
      <Input
        id="keys-search"
        type="search"
        name="q"
        value={value}
        onChange={(event) => setValue(event.target.value)}
        placeholder="Search by name"
        autoComplete="off"
        maxLength={100}
        aria-busy={pending}
        className="pl-8"
      />
    </form>
  );
}

function PageSizeForm({ action, pageSize, keep }: { action: string; pageSize: number; keep: Params }) {
  const router = useRouter();
  return (
    <form method="get" action={action} className="flex items-center gap-2 text-sm text-zinc-600">
      <Hidden params={keep} />
      <label htmlFor="keys-page-size">Rows per page</label>
      <select
        key={pageSize}
        id="keys-page-size"
        name="pageSize"
        defaultValue={pageSize}
        onChange={(event) => router.push(hrefWith(action, keep, { pageSize: event.target.value }), { scroll: false })}
        className="rounded-md border border-zinc-300 bg-white py-1.5 pl-2 pr-7 text-sm text-zinc-900 shadow-sm focus:border-zinc-900 focus:outline-none focus:ring-1 focus:ring-zinc-900"
      >
        {PAGE_SIZES.map((size) => (
          <option key={size} value={size}>
            {size}
          </option>
        ))}
      </select>
      <noscript>
        <Button type="submit" variant="secondary" className="px-2 py-1 text-xs">
          Apply
        </Button>
      </noscript>
    </form>
  );
}

export function KeysToolbar(props: { action: string; q: string; pageSize: number; keepForSearch: Params; keepForPageSize: Params }) {
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <SearchForm action={props.action} q={props.q} keep={props.keepForSearch} />
      <PageSizeForm action={props.action} pageSize={props.pageSize} keep={props.keepForPageSize} />
    </div>
  );
}
