'use client';
/**
 * Verifications over a range, for one key or a whole project: the range switch ("24 hours",
 * "7 days", "30 days", kept in the URL as `?range=` so the server renders that range's counts
 * and a reload keeps it), the totals per outcome code (which are also the chart's legend), the
 * chart as an image named "Verifications, last …", and "Show as table": the same numbers in a
 * table with a column per outcome code, for screen readers and test suites.
 */
import dynamic from 'next/dynamic';
import { usePathname, useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
import { CODE_LABELS, COUNTED_CODES } from '@/lib/usage/codes';
import type { UsageSeries } from '@/lib/usage/query';
import { USAGE_RANGES, type UsageRange } from '@/lib/usage/schemas';
import { cn } from '@/lib/ui/cn';
import { codeColor } from './colors';
import { bucketLabel, countFormat } from './format';

const CHART_HEIGHT = 'h-56';

// Recharts is loaded only where a chart is shown, and only in the browser (it measures the page).
const UsageBars = dynamic(() => import('./usage-bars'), {
  ssr: false,
  loading: () => <div className={cn(CHART_HEIGHT, 'animate-pulse rounded bg-zinc-50')} />,
});

type Props = { series: Pick<UsageSeries, 'buckets' | 'granularity' | 'totals'>; range: UsageRange };

const RANGES = Object.keys(USAGE_RANGES) as UsageRange[];

export function UsagePanel({ series, range }: Props) {
  const router = useRouter();
  const pathname = usePathname();
  const [switching, startSwitch] = useTransition();
  const [tableShown, setTableShown] = useState(false);
  const tableId = useId();
  const { title, spanMs } = USAGE_RANGES[range];
  const total = COUNTED_CODES.reduce((sum, code) => sum + (series.totals[code] ?? 0), 0);

  const choose = (next: UsageRange) => startSwitch(() => router.replace(`${pathname}?range=${next}`, { scroll: false }));

  return (
    <div className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4" aria-busy={switching || undefined}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div role="group" aria-label="Range" className="inline-flex rounded-md border border-zinc-300 p-0.5">
          {RANGES.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={option === range}
              onClick={() => choose(option)}
              className={cn(
                'rounded px-3 py-1 text-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-zinc-900',
                option === range ? 'bg-zinc-900 font-medium text-white' : 'text-zinc-700 hover:bg-zinc-100',
              )}
            >
              {USAGE_RANGES[option].label}
            </button>
          ))}
        </div>
        <button
          type="button"
          aria-expanded={tableShown}
          aria-controls={tableId}
          onClick={() => setTableShown((shown) => !shown)}
          className="inline-flex items-center gap-1 rounded-md px-2 py-1 text-sm font-medium text-zinc-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-zinc-900"
        >
          Show as table
          <svg aria-hidden viewBox="0 0 16 16" className={cn('size-3.5 transition-transform', tableShown && 'rotate-180')} fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M4 6l4 4 4-4" />
          </svg>
        </button>
      </div>

      <dl className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <div>
          <dt className="text-zinc-600">Total</dt>
          <dd className="text-lg font-semibold tabular-nums text-zinc-900">{countFormat.format(total)}</dd>
        </div>
        {COUNTED_CODES.map((code) => (
          <div key={code}>
            <dt className="flex items-center gap-1.5 text-zinc-600">
              <span aria-hidden className="inline-block size-2.5 rounded-sm" style={{ backgroundColor: codeColor(code) }} />
              {CODE_LABELS[code]}
            </dt>
            <dd className="text-lg font-semibold tabular-nums text-zinc-900">{countFormat.format(series.totals[code] ?? 0)}</dd>
          </div>
        ))}
      </dl>

      <div role="img" aria-label={`Verifications, ${title}`} className={CHART_HEIGHT}>
        <UsageBars buckets={series.buckets} granularity={series.granularity} spanDays={spanMs / 86_400_000} />
      </div>
      {total === 0 ? <p className="text-sm text-zinc-600">No verifications in the {title}.</p> : null}

      {/* Focusable, so that a keyboard can scroll a long table (a week has 168 rows). */}
      <div id={tableId} hidden={!tableShown} tabIndex={0} role="region" aria-label={`Verifications table, ${title}`} className="max-h-96 overflow-y-auto rounded-md border border-zinc-200 focus-visible:outline-2 focus-visible:outline-zinc-900">
        <table className="w-full text-right text-sm tabular-nums">
          <caption className="sr-only">Verifications per {series.granularity} by outcome code, {title} (times in UTC)</caption>
          <thead className="sticky top-0 bg-zinc-50 text-xs text-zinc-600">
            <tr>
              <th scope="col" className="px-3 py-2 text-left font-medium">
                Time
              </th>
              {COUNTED_CODES.map((code) => (
                <th key={code} scope="col" title={CODE_LABELS[code]} className="px-3 py-2 font-medium">
                  {code}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {series.buckets.map((bucket) => (
              <tr key={bucket.start}>
                <td className="whitespace-nowrap px-3 py-1.5 text-left text-zinc-700">
                  <time dateTime={bucket.start}>{bucketLabel(bucket.start, series.granularity)}</time>
                </td>
                {COUNTED_CODES.map((code) => (
                  <td key={code} className="px-3 py-1.5 text-zinc-900">
                    {bucket.counts[code] ?? 0}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
