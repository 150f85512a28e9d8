/**
 * Above the keys table, about keys that expire soon: the banner "3 keys expire within 7 days",
 * which opens the list filtered to them (`?expiring=7d`), and, while that filter is on, a line
 * saying so with the way back to all keys. The page gives the count, the days and the links.
 */
import Link from 'next/link';
import { Alert } from '@/components/ui/alert';

/** "within 7 days", "within 1 day". */
export const withinDays = (days: number) => `within ${days} ${days === 1 ? 'day' : 'days'}`;

export function ExpiringKeysBanner({ count, days, href }: { count: number; days: number; href: string }) {
  if (count === 0) return null;
  return (
    <Alert tone="warning" className="flex flex-wrap items-center gap-x-2 gap-y-1">
      <svg aria-hidden viewBox="0 0 20 20" className="size-4 shrink-0 text-amber-600" fill="none" stroke="currentColor" strokeWidth="1.75">
        <circle cx="10" cy="10" r="7.25" />
        <path d="M10 6v4.5l2.5 1.5" strokeLinecap="round" />
      </svg>
      <Link href={href} className="font-medium underline underline-offset-2 hover:text-amber-950">
        {count === 1 ? '1 key expires' : `${count.toLocaleString('en-US')} keys expire`} {withinDays(days)}
      </Link>
      <span>Give them a later expiry or replace them before they stop working.</span>
    </Alert>
  );
}

export function ExpiringFilterNote({ days, allKeysHref }: { days: number; allKeysHref: string }) {
  return (
    <p className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">
      <span>Showing only keys that expire {withinDays(days)}.</span>
      <Link href={allKeysHref} className="font-medium underline underline-offset-2 hover:text-amber-950">
        Show all keys
      </Link>
    </p>
  );
}
