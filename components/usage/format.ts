/**
 * How the usage views write times and counts. Buckets are cut in UTC (lib/usage/query.ts), so
 * times are shown in UTC too: the same on the server and in every browser, and a bucket's label
 * never straddles two local hours.
 */
import type { Granularity } from '@/lib/usage/schemas';

const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hourFormat = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
const fullFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });

export const countFormat = new Intl.NumberFormat('en-US');

/** A bucket's start in full: "Jun 10, 14:00" for minutes and hours, "Jun 10" for days. */
export function bucketLabel(iso: string, granularity: Granularity): string {
  return granularity === 'day' ? dayFormat.format(new Date(iso)) : fullFormat.format(new Date(iso));
}

/** An axis tick: the hour within a day's span, else the day. */
export function tickLabel(iso: string, spanDays: number): string {
  return spanDays <= 1 ? hourFormat.format(new Date(iso)) : dayFormat.format(new Date(iso));
}
