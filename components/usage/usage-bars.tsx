'use client';
/**
 * The usage chart's drawing: stacked bars of verifications per bucket, one colour per outcome
 * code, with Recharts. Loaded on its own (next/dynamic, from usage-panel.tsx), so Recharts' code
 * reaches only the pages that show a chart. The accessible name and the numbers live outside it
 * (the role="img" frame and the table fallback): Recharts' own keyboard layer is off, so nothing
 * inside the image is focusable.
 */
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { DAY_MS } from '@/lib/keys/expiry-days';
import { CODE_LABELS, COUNTED_CODES } from '@/lib/usage/codes';
import type { UsageBucket } from '@/lib/usage/query';
import type { Granularity } from '@/lib/usage/schemas';
import { codeColor, themeColor } from './colors';
import { bucketLabel, countFormat, tickLabel } from './format';

type Props = { buckets: UsageBucket[]; granularity: Granularity; spanDays: number };

const AXIS_TICK = { fill: themeColor('zinc-600'), fontSize: 12 };

/** Which buckets get an axis label: every third hour over a day, each midnight over a week, every fifth day beyond. */
function tickStarts(buckets: UsageBucket[], spanDays: number): string[] {
  return buckets
    .filter(({ start }, index) => {
      const at = new Date(start);
      if (spanDays <= 1) return at.getUTCHours() % 3 === 0 && at.getUTCMinutes() === 0;
      if (spanDays <= 7) return at.getTime() % DAY_MS === 0;
      return index % 5 === 0;
    })
    .map(({ start }) => start);
}

export default function UsageBars({ buckets, granularity, spanDays }: Props) {
  const rows = buckets.map(({ start, counts }) => ({ start, ...Object.fromEntries(COUNTED_CODES.map((code) => [code, counts[code] ?? 0])) }));
  return (
    <BarChart responsive width="100%" height={224} data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap="15%">
      <CartesianGrid vertical={false} stroke={themeColor('zinc-200')} />
      <XAxis dataKey="start" ticks={tickStarts(buckets, spanDays)} tickFormatter={(start: string) => tickLabel(start, spanDays)} tick={AXIS_TICK} tickLine={false} axisLine={{ stroke: themeColor('zinc-400') }} />
      <YAxis allowDecimals={false} width={48} tick={AXIS_TICK} tickLine={false} axisLine={false} tickFormatter={(n: number) => countFormat.format(n)} />
      <Tooltip cursor={{ fill: themeColor('zinc-100') }} labelFormatter={(start) => `${bucketLabel(String(start), granularity)} UTC`} isAnimationActive={false} />
      {COUNTED_CODES.map((code) => (
        <Bar key={code} dataKey={code} name={CODE_LABELS[code]} stackId="codes" fill={codeColor(code)} stroke={themeColor('white')} strokeWidth={0.5} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}
