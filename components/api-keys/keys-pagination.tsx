'use client';
/**
 * Below the keys table: how many keys, "Page X of Y", and "Previous page" / "Next page". The
 * buttons submit a GET form (name="page"), so paging works without JavaScript; with it, the
 * same URL is opened through the router.
 */
import { useRouter } from 'next/navigation';
import { useTransition, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';

const count = new Intl.NumberFormat('en-US');

export function KeysPagination(props: { action: string; keep: Record<string, string>; page: number; pageCount: number; total: number; totalIsCapped: boolean }) {
  const { action, keep, page, pageCount, total, totalIsCapped } = props;
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

  return (
    <form method="get" action={action} onSubmit={submit} aria-busy={pending} className="flex flex-wrap items-center justify-between gap-3 text-sm text-zinc-600">
      {Object.entries(keep).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <p>
        {count.format(total)}
        {more} {total === 1 && !more ? 'key' : 'keys'}
      </p>
      <div className="flex items-center gap-3">
        <p aria-live="polite">
          Page {page} of {pageCount}
          {more}
        </p>
        <div className="flex gap-1">
          <Button type="submit" variant="secondary" name="page" value={page - 1} disabled={page <= 1} className="px-2.5 py-1.5">
            <svg aria-hidden viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75">
              <path d="M10 4l-4 4 4 4" />
            </svg>
            Previous page
          </Button>
          <Button type="submit" variant="secondary" name="page" value={page + 1} disabled={page >= pageCount} className="px-2.5 py-1.5">
            Next page
            <svg aria-hidden viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75">
              <path d="M6 4l4 4-4 4" />
            </svg>
          </Button>
        </div>
      </div>
    </form>
  );
}
