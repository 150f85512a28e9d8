'use client';
/**
 * Below the keys table: how many keys, "Page X of Y", and "Previous page" / "Next page". Each
 * button submits a GET form of its own (name="page"), so paging works without JavaScript; with
 * it, the same URL is opened through the router. Beside the page number each form carries the
 * page's `cursor`, which lets the server seek straight to that page at any depth; page 1 needs
 * none, and a URL with a page number alone still opens that page. A search that matches very many
 * keys has an estimated total: "About 25,000 keys", "Page 1 of about 2,500".
 */
import { useRouter } from 'next/navigation';
import { useTransition, type FormEvent, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';

const count = new Intl.NumberFormat('en-US');

type Props = {
  action: string;
  keep: Record<string, string>;
  page: number;
  pageCount: number;
  total: number;
  totalIsCapped: boolean;
  totalIsEstimate: boolean;
  previousCursor: string | null;
  nextCursor: string | null;
};

export function KeysPagination({ action, keep, page, pageCount, total, totalIsCapped, totalIsEstimate, previousCursor, nextCursor }: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const more = totalIsCapped ? '+' : '';

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter)) {
      if (typeof value === 'string' && !(name === 'page' && value === '1')) params.append(name, value);
    }
    const search = params.toString();
    startTransition(() => router.push(search ? `${action}?${search}` : action));
  }

  function pageForm(target: number, cursor: string | null, disabled: boolean, children: ReactNode) {
    return (
      <form method="get" action={action} onSubmit={submit}>
        {Object.entries(keep).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <Button type="submit" variant="secondary" name="page" value={target} disabled={disabled} className="px-2.5 py-1.5">
          {children}
        </Button>
        {cursor && !disabled ? <input type="hidden" name="cursor" value={cursor} /> : null}
      </form>
    );
  }

  return (
    <div aria-busy={pending} className="flex flex-wrap items-center justify-between gap-3 text-sm text-zinc-600">
      <p>
        {totalIsEstimate ? 'About ' : ''}
        {count.format(total)}
        {more} {total === 1 && !more ? 'key' : 'keys'}
      </p>
      <div className="flex items-center gap-3">
        <p aria-live="polite">
          Page {page} of {totalIsEstimate ? `about ${count.format(pageCount)}` : pageCount}
          {more}
        </p>
        <div className="flex gap-1">
          {pageForm(
            page - 1,
            previousCursor,
            page <= 1,
            <>
              <svg aria-hidden viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75">
                <path d="M10 4l-4 4 4 4" />
              </svg>
              Previous page
            </>,
          )}
          {pageForm(
            page + 1,
            nextCursor,
            page >= pageCount,
            <>
              Next page
              <svg aria-hidden viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75">
                <path d="M6 4l4 4-4 4" />
              </svg>
            </>,
          )}
        </div>
      </div>
    </div>
  );
}
